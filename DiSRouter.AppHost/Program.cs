using DiSRouter.AppHost;
using DiSRouter.AppHost.Bench;
using DiSRouter.AppHost.Hosting;
using DiSRouter.AppHost.Jobs;

if (args is ["bench", .. var benchArgs]) return await NetworkBench.RunAsync(benchArgs);
if (args is ["job", .. var jobArgs]) return await JobCommand.RunAsync(jobArgs);

var builder = DistributedApplicationBuilder.Create(args);

// Jobs: each agent's self-awareness training; the scheduled ones fire while the network runs (docs/jobs.md)
var jobs = builder.AddJobs();

// Agents in cascade order, each calling its successors; the gateway once every agent is healthy
builder.AddNetwork(jobs);

return await builder.Build().RunAsync();
