namespace DiSRouter.AppHost.Topology;

/// <summary>One agent of the topology, as written in appsettings.json ("DiSRouter:Agents", in cascade order).</summary>
internal sealed class AgentSpec
{
    /// <summary>Service name: kebab-case, also the host name other services call it by ("agent-2").</summary>
    public string Name { get; set; } = "";

    /// <summary>Normalised cost c_i ∈ [0, 1]; the cascade runs from the cheapest agent to the costliest.</summary>
    public double Cost { get; set; }

    /// <summary>"local" (a checkpoint run in the agent's process) or "hosted" (an OpenAI-compatible endpoint).</summary>
    public string Backend { get; set; } = "local";

    /// <summary>Local backend: the checkpoint directory; a relative path is taken from the repository root ("models/...").</summary>
    public string? Checkpoint { get; set; }

    /// <summary>Hosted backend: the model's name at the endpoint; local: an optional display name.</summary>
    public string? Model { get; set; }

    /// <summary>Hosted backend: the OpenAI-compatible base URL ("https://api.openai.com/v1").</summary>
    public string? Endpoint { get; set; }

    /// <summary>Hosted backend: the name of the environment variable that holds the API key (never the key itself).</summary>
    public string? ApiKeyEnv { get; set; }

    /// <summary>
    /// How long the agent before this one waits for it to commit (decide to answer, or have a successor of its own do
    /// so) before it skips it (Agent:SuccessorTimeouts of that agent). Default: 30 s for a local agent, whose decisions
    /// take milliseconds to seconds; 120 s for a hosted one, whose large model may take a minute for its first token.
    /// </summary>
    public double? CommitTimeoutSeconds { get; set; }

    /// <summary>The commit timeout in effect: <see cref="CommitTimeoutSeconds"/>, else the default for the backend.</summary>
    public double CommitTimeout => CommitTimeoutSeconds ?? (Backend == "hosted" ? 120 : 30);

    /// <summary>Any other agent setting, passed as <c>Agent__{key}</c> (e.g. "MaxNewTokens": "128").</summary>
    public Dictionary<string, string> Settings { get; set; } = [];
}
