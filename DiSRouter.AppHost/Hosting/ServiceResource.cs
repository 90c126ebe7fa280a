namespace DiSRouter.AppHost.Hosting;

/// <summary>
/// A service to run as its own process (Aspire's project resource): its dll, its loopback URL, its environment,
/// the services it calls (<see cref="WithReference"/>) and those it waits for (<see cref="WaitFor"/>).
/// </summary>
internal sealed class ServiceResource(string name, string binaryPath, int port, bool fixedPort)
{
    private readonly Dictionary<string, string> _environment = [];
    private readonly List<ServiceResource> _waitFor = [];

    public string Name { get; } = name;
    public string BinaryPath { get; } = binaryPath;
    public int Port { get; } = port;

    /// <summary>Chosen by the user (the gateway's port): checked before start, since nobody else picked it for us.</summary>
    public bool FixedPort { get; } = fixedPort;

    public Uri Url => new($"http://127.0.0.1:{Port}");
    public IReadOnlyDictionary<string, string> Environment => _environment;
    public IReadOnlyList<ServiceResource> Dependencies => _waitFor;

    /// <summary>The front door: when it dies the whole network stops, and it is stopped first.</summary>
    public bool StopsNetworkOnExit { get; private set; }

    /// <summary>A line for the summary printed at start ("local models/... cost 0.1").</summary>
    public string Description { get; set; } = "";

    public ServiceResource WithEnvironment(string key, string? value)
    {
        if (value is not null) _environment[key] = value;
        return this;
    }

    public ServiceResource WithStopOnExit()
    {
        StopsNetworkOnExit = true;
        return this;
    }

    /// <summary>Lets this service call <paramref name="others"/> by name: Aspire's service discovery variables.</summary>
    public ServiceResource WithReference(IEnumerable<ServiceResource> others)
    {
        foreach (var other in others) WithEnvironment($"services__{other.Name}__http__0", other.Url.ToString().TrimEnd('/'));
        return this;
    }

    /// <summary>Starts this service only once <paramref name="others"/> answer /health.</summary>
    public ServiceResource WaitFor(IEnumerable<ServiceResource> others)
    {
        _waitFor.AddRange(others);
        return this;
    }
}
