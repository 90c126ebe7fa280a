using Microsoft.Extensions.Options;

namespace DiSRouter.Gateway;

/// <summary>Refuses to start a gateway that could not serve anyone, naming the setting.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions o)
    {
        var errors = new List<string>();
        // A keys file may be emptied on purpose (every key revoked) or caught mid-rewrite: only its absence is an error,
        // since a reload that failed validation would fail every request instead of refusing them with 401.
        if ((o.KeysFile is null && o.ApiKeys.Count == 0) || o.ApiKeys.Any(string.IsNullOrWhiteSpace))
            errors.Add($"No API key: set Gateway:ApiKeys (Gateway__ApiKeys__0), Gateway:KeysFile or {GatewayOptions.ApiKeyVariable}; empty keys are not allowed.");
        if (o.FailedAuth.MaxFailures < 1) errors.Add($"Gateway:FailedAuth:MaxFailures must be at least 1, got {o.FailedAuth.MaxFailures}.");
        if (!(o.FailedAuth.WindowSeconds > 0)) errors.Add($"Gateway:FailedAuth:WindowSeconds must be positive, got {o.FailedAuth.WindowSeconds}.");
        if (o.Ledger.DefaultBudget is < 0 || o.Ledger.Budgets.Values.Any(b => b < 0)) errors.Add("Gateway:Ledger budgets must not be negative.");
        if (!(o.Ledger.FlushIntervalSeconds > 0)) errors.Add($"Gateway:Ledger:FlushIntervalSeconds must be positive, got {o.Ledger.FlushIntervalSeconds}.");
        if (o.Ledger.MaxJournalBytes < 4096) errors.Add($"Gateway:Ledger:MaxJournalBytes must be at least 4096, got {o.Ledger.MaxJournalBytes}.");
        if (string.IsNullOrWhiteSpace(o.EntryAgent)) errors.Add("Gateway:EntryAgent is required (the first agent of the cascade).");
        if (o.MaxRequestBodyBytes <= 0) errors.Add($"Gateway:MaxRequestBodyBytes must be positive, got {o.MaxRequestBodyBytes}.");
        if (!(o.RateLimit.RequestsPerSecond > 0)) errors.Add($"Gateway:RateLimit:RequestsPerSecond must be positive, got {o.RateLimit.RequestsPerSecond}.");
        if (o.RateLimit.Burst < 1) errors.Add($"Gateway:RateLimit:Burst must be at least 1, got {o.RateLimit.Burst}.");
        if (!(o.AgentTimeoutSeconds > 0)) errors.Add($"Gateway:AgentTimeoutSeconds must be positive, got {o.AgentTimeoutSeconds}.");
        if (!(o.Health.ProbeIntervalSeconds > 0)) errors.Add($"Gateway:Health:ProbeIntervalSeconds must be positive, got {o.Health.ProbeIntervalSeconds}.");
        if (!(o.Health.ProbeTimeoutSeconds > 0)) errors.Add($"Gateway:Health:ProbeTimeoutSeconds must be positive, got {o.Health.ProbeTimeoutSeconds}.");
        if (o.Health.MinimumRequests < 1) errors.Add($"Gateway:Health:MinimumRequests must be at least 1, got {o.Health.MinimumRequests}.");
        if (!(o.Health.LeftOutSeconds > 0)) errors.Add($"Gateway:Health:LeftOutSeconds must be positive, got {o.Health.LeftOutSeconds}.");
        if (!(o.Bids.TimeoutSeconds > 0)) errors.Add($"Gateway:Bids:TimeoutSeconds must be positive, got {o.Bids.TimeoutSeconds}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
