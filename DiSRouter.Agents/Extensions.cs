using Microsoft.Extensions.DependencyInjection.Extensions;
using DiSRouter.Agents.Backends;
using DiSRouter.Agents.Cascade;
using DiSRouter.Agents.Telemetry;
using DiSRouter.Core.Requests;
using Microsoft.Extensions.Options;

namespace DiSRouter.Agents;

/// <summary>The agent's services: settings, backend, cascade, successor calls and telemetry.</summary>
internal static class Extensions
{
    public static IHostApplicationBuilder AddAgentServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AgentOptions>().BindConfiguration(AgentOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();

        services.AddProblemResponses();
        services.ConfigureHttpJsonOptions(o => WireJson.Configure(o.SerializerOptions));
        // Successors' addresses: Microsoft.Extensions.ServiceDiscovery, from services:{name}:http:{i} (several = replicas).
        services.AddServiceDiscoveryCore();
        services.AddConfigurationServiceEndpointProvider();

        services.AddSingleton<AgentTelemetry>();
        services.AddSingleton<SuccessorResolver>();
        services.AddSingleton<SuccessorBreaker>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SuccessorClient>();
        services.AddHttpClient(SuccessorClient.HttpClientName);
        // A rejection leaves the reply stream after its first tokens. By default the handler would then drain the rest
        // of the response to reuse the connection, so the server would go on generating; closing it stops the server.
        services.AddHttpClient(HostedBackend.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxResponseDrainSize = 0 });
        services.AddSingleton<CascadeAgent>();

        // Tests replace the backend by registering their own IChatBackend after this one.
        services.AddSingleton<IChatBackend>(sp => sp.GetRequiredService<IOptions<AgentOptions>>().Value.Backend switch
        {
            AgentBackendKind.Hosted => ActivatorUtilities.CreateInstance<HostedBackend>(sp),
            _ => ActivatorUtilities.CreateInstance<LocalCheckpointBackend>(sp),
        });
        services.AddHostedService<BackendStartup>();
        services.AddHealthChecks().AddCheck<BackendHealthCheck>("model");
        return builder;
    }
}
