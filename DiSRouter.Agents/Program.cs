using DiSRouter.Agents;
using DiSRouter.Agents.Apis;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAgentServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapAgentApi();
app.Run();
