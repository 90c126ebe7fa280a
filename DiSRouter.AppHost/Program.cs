using DiSRouter.AppHost;
using DiSRouter.AppHost.Bench;
using DiSRouter.AppHost.Hosting;
using DiSRouter.AppHost.Jobs;

if (args is ["bench", .. var benchArgs]) return await NetworkBench.RunAsync(benchArgs);
if (args is ["job", .. var jobArgs]) return await JobCommand.RunAsync(jobArgs);

var builder = DistributedApplicationBuilder.Create(args);
var plan = builder.Plan;

// Jobs: each agent's self-awareness training; the scheduled ones fire while the network runs (docs/jobs.md)
var jobs = builder.AddJobs();

// Agents, in cascade order; each calls its successors by name: the next agent, then the ones to skip to when it is down
var agents = plan.Agents.ToDictionary(a => a.Name, a => builder.AddAgent(a, jobs));
foreach (var agent in plan.Agents)
    agents[agent.Name].WithReference(agent.Successors.Select(s => agents[s]));

// Gateway: the front door, started once every agent answers /health
if (plan.Agents.Count > 0)
    builder.AddGateway(plan)
        .WithReference(agents.Values)
        .WaitFor(agents.Values);

return await builder.Build().RunAsync();
