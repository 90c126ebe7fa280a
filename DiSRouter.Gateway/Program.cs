using DiSRouter.Gateway;
using DiSRouter.Gateway.Apis;
using DiSRouter.Gateway.Ledger;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseGatewayPipeline();
app.MapGatewayApi();
app.MapLedgerApi();

app.Run();
