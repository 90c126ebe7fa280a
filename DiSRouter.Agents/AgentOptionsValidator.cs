using Microsoft.Extensions.Options;

namespace DiSRouter.Agents;

/// <summary>Refuses to start an agent whose settings cannot work, naming the setting and the reason.</summary>
internal sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.Name)) errors.Add("Agent:Name is required (Agent__Name).");
        if (double.IsNaN(o.Cost) || o.Cost is < 0 or > 1) errors.Add($"Agent:Cost must lie in [0, 1], got {o.Cost}.");
        if (o.Backend is not (AgentBackendKind.Local or AgentBackendKind.Hosted))
            errors.Add($"Agent:Backend must be '{AgentBackendKind.Local}' or '{AgentBackendKind.Hosted}', got '{o.Backend}'.");
        if (o.Engine is not (AgentEngineKind.Managed or AgentEngineKind.Torch))
            errors.Add($"Agent:Engine must be '{AgentEngineKind.Managed}' or '{AgentEngineKind.Torch}', got '{o.Engine}'.");
        if (o.Device is not ("auto" or "cpu" or "cuda"))
            errors.Add($"Agent:Device must be 'auto', 'cpu' or 'cuda', got '{o.Device}'.");
        if (o.Api is not (Backends.HostedApi.OpenAI or Backends.HostedApi.AzureInference))
            errors.Add($"Agent:Api must be '{Backends.HostedApi.OpenAI}' or '{Backends.HostedApi.AzureInference}', got '{o.Api}'.");
        if (o.MaxNewTokens < Cascade.CascadeAgent.MinTokensToDecide)
            errors.Add($"Agent:MaxNewTokens must be at least {Cascade.CascadeAgent.MinTokensToDecide} (room to say \"I don't know!\"), got {o.MaxNewTokens}.");
        if (o.RejectionDecidedAfter is < 0 || o.RejectionDecidedAfter > Cascade.Rejection.Phrase.Length)
            errors.Add($"Agent:RejectionDecidedAfter must lie in [0, {Cascade.Rejection.Phrase.Length}] (characters of \"{Cascade.Rejection.Phrase}\"; 0 = all), got {o.RejectionDecidedAfter}.");
        if (o.MaxConcurrency < 0) errors.Add($"Agent:MaxConcurrency must be 0 (one per core) or positive, got {o.MaxConcurrency}.");
        if (!(o.ForwardTimeoutSeconds > 0)) errors.Add($"Agent:ForwardTimeoutSeconds must be positive, got {o.ForwardTimeoutSeconds}.");
        foreach (var (successor, seconds) in o.SuccessorTimeouts)
            if (!(seconds > 0)) errors.Add($"Agent:SuccessorTimeouts:{successor} must be positive, got {seconds}.");
        if (!(o.StreamIdleTimeoutSeconds > 0)) errors.Add($"Agent:StreamIdleTimeoutSeconds must be positive, got {o.StreamIdleTimeoutSeconds}.");
        if (!(o.SuccessorBreakSeconds >= 0)) errors.Add($"Agent:SuccessorBreakSeconds must not be negative, got {o.SuccessorBreakSeconds}.");
        if (!(o.HostedTimeoutSeconds > 0)) errors.Add($"Agent:HostedTimeoutSeconds must be positive, got {o.HostedTimeoutSeconds}.");
        if (!(o.ReloadPollSeconds >= 0)) errors.Add($"Agent:ReloadPollSeconds must be 0 (off) or positive, got {o.ReloadPollSeconds}.");
        for (int i = 0; i < o.Successors.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(o.Successors[i])) errors.Add($"Agent:Successors:{i} is empty.");
            else if (string.Equals(o.Successors[i], o.Name, StringComparison.OrdinalIgnoreCase))
                errors.Add($"Agent:Successors:{i} names the agent itself ('{o.Name}'), which would loop.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
