using DiSRouter.AppHost;
using DiSRouter.AppHost.Jobs;
using DiSRouter.AppHost.Supervision;

var builder = DistributedApplication.CreateBuilder(args);

// The topology (appsettings.json, --config) and the command line (--agents, --gateway-port)
if (!builder.TryReadNetworkPlan(args, out var plan, out var exitCode)) return exitCode; // --help, or a bad topology: said why

// Parameters: the gateway's API key (DISROUTER_API_KEY here; a secret that azd asks for)
var apiKey = builder.AddApiKey(plan);

// Agents in cascade order, each calling its successors by name
var agents = builder.AddAgents(plan);

// The front door, once every agent is healthy; the only resource that faces users
var gateway = builder.AddGateway(plan, agents, apiKey);

// Supervision: an agent or the gateway whose process dies without being stopped is started again (DiSRouter:Restarts)
builder.AddRestartSupervisor(plan, [.. agents.Select(a => a.Resource), gateway.Resource]);

// Jobs: each agent's self-awareness training, started from the dashboard, the command line or its schedule
builder.AddTrainingJobs(plan, agents);

builder.Build().Run();
return 0;
