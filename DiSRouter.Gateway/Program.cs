using DiSRouter.Gateway;
using DiSRouter.Gateway.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseGatewayPipeline();
app.MapGatewayApi();

app.Run();
