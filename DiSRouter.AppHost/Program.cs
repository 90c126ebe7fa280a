using DiSRouter.AppHost;
using DiSRouter.AppHost.Bench;
using DiSRouter.AppHost.Hosting;

if (args is ["bench", .. var benchArgs]) return await NetworkBench.RunAsync(benchArgs);

var builder = DistributedApplicationBuilder.Create(args);
var plan = builder.Plan;

// Agents, in cascade order; each calls its successors by name: the next agent, then the ones to skip to when it is down
var agents = plan.Agents.ToDictionary(a => a.Name, a => builder.AddAgent(a));
foreach (var agent in plan.Agents)
    agents[agent.Name].WithReference(agent.Successors.Select(s => agents[s]));

// Gateway: the front door, started once every agent answers /health
if (plan.Agents.Count > 0)
    builder.AddGateway(plan)
        .WithReference(agents.Values)
        .WaitFor(agents.Values);

return await builder.Build().RunAsync();
