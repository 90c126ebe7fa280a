using DiSRouter.Core.Scenarios;
namespace DiSRouter.Agents;

/// <summary>
/// One agent's settings, section "Agent" (the AppHost passes them as <c>Agent__Name</c>, <c>Agent__Successors__0</c>, …).
/// </summary>
internal sealed class AgentOptions
{
    public const string Section = "Agent";

    /// <summary>The agent's name as it appears in routing paths and in service discovery ("agent-1").</summary>
    public string Name { get; set; } = "";

    /// <summary>Normalised cost c_i ∈ [0, 1]; the cost charged when this agent answers.</summary>
    public double Cost { get; set; }

    /// <summary>"local" (a checkpoint run in-process) or "hosted" (an OpenAI-compatible endpoint).</summary>
    public string Backend { get; set; } = AgentBackendKind.Local;

    /// <summary>Directory of a local checkpoint (config.json, model.safetensors, tokenizer.json); relative paths resolve against the working directory.</summary>
    public string? Checkpoint { get; set; }

    /// <summary>
    /// Local backend: the engine that runs the checkpoint. <c>managed</c> (default): ours, in-process, no native
    /// dependency. <c>torch</c>: TorchSharp on <see cref="Device"/>, loaded from DiSRouter.Models.Torch, which the agent
    /// carries only when built with <c>-p:AgentTorch=true</c>.
    /// </summary>
    public string Engine { get; set; } = AgentEngineKind.Managed;

    /// <summary>Torch engine: <c>cuda</c>, <c>cpu</c> or <c>auto</c> (default: CUDA when libtorch sees a device, else the CPU).</summary>
    public string Device { get; set; } = "auto";

    /// <summary>
    /// Where a rejected query goes: the next agent first, then the ones to skip to when it is down. Each entry is a
    /// service name resolved through <c>services:{name}:http:0</c>, or an absolute http(s) URL. Empty = the last agent.
    /// </summary>
    public List<string> Successors { get; set; } = [];

    /// <summary>The hosted model's name; for a local checkpoint a display name (default: the checkpoint directory's name).</summary>
    public string? Model { get; set; }

    /// <summary>Base URL of the hosted OpenAI-compatible API ("https://api.openai.com/v1", "http://agent-x/raw/v1").</summary>
    public string? Endpoint { get; set; }

    /// <summary>
    /// Hosted: the API the endpoint speaks, through Microsoft.Extensions.AI's IChatClient: <c>openai</c> (default; the
    /// OpenAI SDK: OpenAI, vLLM, Ollama, llama.cpp, an agent's /raw/v1) or <c>azure-inference</c> (Azure.AI.Inference:
    /// Azure AI Foundry, GitHub Models).
    /// </summary>
    public string Api { get; set; } = Backends.HostedApi.OpenAI;

    /// <summary>Name of the environment variable holding the hosted API key (the key itself never sits in configuration).</summary>
    public string? ApiKeyEnv { get; set; }

    /// <summary>Upper bound on generated tokens per reply; a request's max_tokens can only lower it.</summary>
    public int MaxNewTokens { get; set; } = 256;

    /// <summary>
    /// Local backend: how the scenario instruction is worded, as the checkpoint was trained. Compact ("Cost weight 0.50.")
    /// for this project's self-aware checkpoints; Full for a checkpoint trained with the full instructions. Hosted: always Full.
    /// </summary>
    public ScenarioPromptStyle ScenarioPrompt { get; set; } = ScenarioPromptStyle.Compact;

    /// <summary>
    /// How many characters of "I don't know" decide a rejection (0: the whole phrase). Default: 1 for a local
    /// checkpoint, which was trained to open every answer with the template, so "I" is already its decision; 0 for a
    /// hosted model, which may well open an answer with "I think".
    /// </summary>
    public int? RejectionDecidedAfter { get; set; }

    /// <summary>How many generations run at once on a local backend; the rest wait in line (0 = one per CPU core).</summary>
    public int MaxConcurrency { get; set; }

    /// <summary>
    /// How long a successor may take to commit (send its status: it decided to answer, or one of its own successors
    /// did) before it counts as unreachable and the next one is tried; <see cref="SuccessorTimeouts"/> may set it per
    /// successor. 30 s: a nano agent commits in milliseconds on a quiet machine and, with its successors' decisions
    /// included, within a few seconds on an overloaded one (docs/reliability.md measured p99 up to 17 s of whole
    /// requests at load average 74); a hung successor costs the first request this long (then <see cref="SuccessorBreakSeconds"/>).
    /// </summary>
    public double ForwardTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Per successor (its name as in <see cref="Successors"/>), the seconds it may take to commit, where it differs from
    /// <see cref="ForwardTimeoutSeconds"/>: a hosted large model may need a minute for its first token. The AppHost
    /// fills it from each agent's CommitTimeoutSeconds in the topology.
    /// </summary>
    public Dictionary<string, double> SuccessorTimeouts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// After a successor committed, how long its stream may stay silent between two events before it counts as broken
    /// and the client's stream ends with the error event (a process stopped mid-answer would otherwise hold it forever).
    /// 60 s: a model pauses for milliseconds between tokens; a hosted one under load for seconds.
    /// </summary>
    public double StreamIdleTimeoutSeconds { get; set; } = 60;

    /// <summary>After a successor timed out, how long it is skipped without a call before one request tries it again.</summary>
    public double SuccessorBreakSeconds { get; set; } = 30;

    /// <summary>
    /// Hosted backend: how long the hosted API may stay silent before the call fails (the SDK's network timeout).
    /// 120 s: a large hosted model under load may take a minute before its first token.
    /// </summary>
    public double HostedTimeoutSeconds { get; set; } = 120;

    public TimeSpan TimeoutFor(string successor) =>
        TimeSpan.FromSeconds(SuccessorTimeouts.TryGetValue(successor, out var own) ? own : ForwardTimeoutSeconds);

    /// <summary>How often the checkpoint files are polled for changes, as a fallback to file-system events (0 = never poll).</summary>
    public double ReloadPollSeconds { get; set; } = 5;

    /// <summary>Quiet time after the last file event before a reload starts, so that a multi-file save is read whole.</summary>
    public int ReloadDebounceMilliseconds { get; set; } = 300;

    public bool IsLast => Successors.Count == 0;
}

internal static class AgentBackendKind
{
    public const string Local = "local";
    public const string Hosted = "hosted";
}

internal static class AgentEngineKind
{
    public const string Managed = "managed";
    public const string Torch = "torch";
}
