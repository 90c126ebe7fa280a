namespace DiSRouter.Gateway;

/// <summary>The gateway's settings, section "Gateway" (environment: <c>Gateway__EntryAgent</c>, <c>Gateway__Agents__0</c>, …).</summary>
internal sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>The environment variable whose value is accepted as one more API key (the AppHost sets it).</summary>
    public const string ApiKeyVariable = "DISROUTER_API_KEY";

    /// <summary>The service name of the first agent of the cascade, resolved through <c>services:{name}:http:0</c>.</summary>
    public string EntryAgent { get; set; } = "agent-1";

    /// <summary>The agents in cascade order, listed by /v1/models; a request naming one enters the cascade there.</summary>
    public List<string> Agents { get; set; } = [];

    /// <summary>Bearer keys accepted. Required (here, in <see cref="KeysFile"/> or in DISROUTER_API_KEY): the gateway refuses to start with none.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>
    /// A text file of API keys, one a line ('#' starts a comment), read again whenever it changes: keys are added and
    /// revoked by rewriting it, without a restart. Its keys join <see cref="ApiKeys"/> (bound as <see cref="KeysFromFile"/>).
    /// </summary>
    public string? KeysFile { get; set; }

    /// <summary>The keys read from <see cref="KeysFile"/>; filled by its configuration provider, not set by hand.</summary>
    public List<string> KeysFromFile { get; set; } = [];

    /// <summary>Keys that may read GET /admin/ledger; none = the endpoint refuses everyone. Never valid on /v1.</summary>
    public List<string> AdminKeys { get; set; } = [];

    /// <summary>
    /// What the client gets when the cascade could only give a degraded answer (an agent skipped as unreachable, or an
    /// agent that judged itself not competent answering because no successor was reachable). Answer (default): the
    /// answer, marked in X-DiSRouter-Degraded and in "disrouter.degraded"; Refuse: 503 with Retry-After.
    /// </summary>
    public DegradedAnswerPolicy DegradedAnswers { get; set; } = DegradedAnswerPolicy.Answer;

    /// <summary>
    /// The rule the plain aliases (disrouter, disrouter-performance-first, -balance, -cost-first) run by. Auction (default):
    /// the agents' own cheapest-first auction of bids; on the nano pool's test split it gives 0.653 / 0.535 / 0.421 at
    /// α = 0.2 / 0.5 / 0.8 against the threshold cascade's 0.638 / 0.456 / 0.323 (docs/evaluation.md). Cascade: each
    /// agent answers when its own decision says so, the method's rule. Either stays reachable by name
    /// (disrouter-auction…, disrouter-cascade…).
    /// </summary>
    public RoutingRule Rule { get; set; } = RoutingRule.Auction;

    public FailedAuthSettings FailedAuth { get; set; } = new();

    /// <summary>A warning that repeats (a 401 from one address, a 429 for one key) is logged at most once per this interval.</summary>
    public double RepeatedLogIntervalSeconds { get; set; } = 60;

    public LedgerSettings Ledger { get; set; } = new();

    /// <summary>Larger bodies get 413 before they are read whole. 1 MiB holds a long chat many times over.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1 << 20;

    public RateLimitSettings RateLimit { get; set; } = new();

    /// <summary>
    /// How long an agent may stay silent (no byte of its response) before the request fails with 504. A cascade's
    /// whole answer can take minutes on a CPU; a stream keeps it alive with every token.
    /// </summary>
    public double AgentTimeoutSeconds { get; set; } = 300;

    public AgentHealthSettings Health { get; set; } = new();

    public SelfRouteSettings SelfRoute { get; set; } = new();

    public BidsSettings Bids { get; set; } = new();
}

/// <summary>The bids mode (model alias <c>disrouter-bids</c>): every agent's own P(right) is asked for, the best p − α·c answers.</summary>
internal sealed class BidsSettings
{
    /// <summary>
    /// How long the gateway waits for an agent's bid (POST /v1/assess: one prompt pass, but queued behind the agent's
    /// other work); an agent that has not bid by then is left out of the auction.
    /// </summary>
    public double TimeoutSeconds { get; set; } = 30;
}

/// <summary>The Self-Route mode (model alias <c>disrouter-self-route</c>): a central router in the gateway picks the agent.</summary>
internal sealed class SelfRouteSettings
{
    /// <summary>
    /// The router file <c>fit self-route</c> writes (models/nano-selfaware/self-route.json for the nano pool); a relative
    /// path is taken from the gateway's working directory. Unset: the alias answers 503 saying so, and /health says
    /// nothing of it (the mode is off, not broken).
    /// </summary>
    public string? RouterFile { get; set; }

    /// <summary>How often the file is re-read (when it changed) and every agent's served weights are asked for (GET /checkpoint).</summary>
    public double CheckIntervalSeconds { get; set; } = 10;
}

/// <summary>How replicas of an agent are judged (YARP's active probes of /health and passive watch of failed requests).</summary>
internal sealed class AgentHealthSettings
{
    /// <summary>How often each replica's /health is probed; one failed probe takes it out until a probe passes.</summary>
    public double ProbeIntervalSeconds { get; set; } = 10;

    public double ProbeTimeoutSeconds { get; set; } = 5;

    /// <summary>Requests a replica must have had before its failure rate (connection errors, timeouts) is judged.</summary>
    public int MinimumRequests { get; set; } = 5;

    /// <summary>A replica whose failure rate passes 30 % is left out this long, then tried again.</summary>
    public double LeftOutSeconds { get; set; } = 30;
}

/// <summary>A token bucket per API key: bursts up to <see cref="Burst"/>, then <see cref="RequestsPerSecond"/> on average.</summary>
internal sealed class RateLimitSettings
{
    public double RequestsPerSecond { get; set; } = 20;
    public int Burst { get; set; } = 40;
}

internal enum RoutingRule
{
    Auction,
    Cascade,
}

internal enum DegradedAnswerPolicy
{
    Answer,
    Refuse,
}

/// <summary>
/// Failed authentications per client address: past <see cref="MaxFailures"/> in <see cref="WindowSeconds"/>, every
/// request from that address gets 429 until the window ends, so keys cannot be guessed at full speed.
/// </summary>
internal sealed class FailedAuthSettings
{
    public int MaxFailures { get; set; } = 10;
    public double WindowSeconds { get; set; } = 60;
}

/// <summary>The cost ledger's budgets, in the cascade's cost units (the answering agent's normalised cost c_i per request).</summary>
internal sealed class LedgerSettings
{
    /// <summary>The budget of every key without its own; null = unlimited.</summary>
    public double? DefaultBudget { get; set; }

    /// <summary>Budgets by key id ("key-1a2b3c4d", the fingerprint logs and the ledger show): the key itself never sits here.</summary>
    public Dictionary<string, double> Budgets { get; set; } = [];

    /// <summary>How many of the latest requests GET /admin/ledger lists.</summary>
    public int RecentRequests { get; set; } = 200;

    /// <summary>
    /// The folder the books are kept in (a journal and a snapshot, see Ledger/LedgerJournal.cs), read at start. Default:
    /// data/ledger under the gateway's content root; the AppHost sets runs/ledger. Empty: memory only (a restart starts over).
    /// One gateway process per folder: a second one cannot open the journal.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>Bookings are written and flushed to disk as a group this often; a crash loses at most this interval's.</summary>
    public double FlushIntervalSeconds { get; set; } = 1;

    /// <summary>Past this the books are snapshotted and the journal starts over (about 40,000 bookings of ~200 bytes).</summary>
    public long MaxJournalBytes { get; set; } = 8 << 20;
}
