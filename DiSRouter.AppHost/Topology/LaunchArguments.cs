using System.Globalization;

namespace DiSRouter.AppHost.Topology;

/// <summary>The AppHost's command line: which agents, which gateway port, which extra settings file.</summary>
internal sealed record LaunchArguments(IReadOnlyList<string>? Agents, int? GatewayPort, string? ConfigFile, bool Help)
{
    public const string Usage = """
        Usage: dotnet run --project DiSRouter.AppHost -- [options]
               dotnet run --project DiSRouter.AppHost -- --publisher manifest --output-path FILE

          --agents a,b,c        launch only these agents (cascade order and successors follow the topology)
          --gateway-port N      the gateway's port (default 8080; 0 picks a free one)
          --config FILE         a JSON file layered over appsettings.json (another topology)
          -h, --help            this text

        Environment: DISROUTER_API_KEY (the gateway's API key, the parameter api-key; default "disrouter-local").
        Other --name value pairs are Aspire's own (configuration keys), passed through.
        """;

    public static LaunchArguments Parse(IReadOnlyList<string> args)
    {
        IReadOnlyList<string>? agents = null;
        int? port = null;
        string? config = null;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = Split(args[i]);
            switch (name)
            {
                case "-h" or "--help":
                    return new LaunchArguments(null, null, null, true);
                case "--agents":
                    var list = Value(args, ref i, name, inline).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    if (list.Length == 0) throw new ArgumentException("--agents needs at least one agent name (e.g. --agents agent-2,agent-3).");
                    agents = list;
                    break;
                case "--gateway-port":
                    var text = Value(args, ref i, name, inline);
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p > 65535)
                        throw new ArgumentException($"--gateway-port must be a port number in 0..65535, got '{text}'.");
                    port = p;
                    break;
                case "--config":
                    config = Value(args, ref i, name, inline);
                    break;
                case var other when other.StartsWith("--", StringComparison.Ordinal):
                    // Aspire's own options (--publisher manifest, --output-path FILE, configuration keys) and their values.
                    if (inline is null && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) i++;
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }
        return new LaunchArguments(agents, port, config, false);
    }

    /// <summary>"--name=value" → (name, value); anything else → (arg, null). Shared with the bench's options.</summary>
    internal static (string Name, string? Inline) Split(string arg)
    {
        var eq = arg.IndexOf('=');
        return arg.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }

    /// <summary>The option's value: the inline one, else the next argument (which must not be another option).</summary>
    internal static string Value(IReadOnlyList<string> args, ref int i, string name, string? inline)
    {
        if (inline is not null) return inline;
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException($"{name} needs a value.");
        return args[++i];
    }
}
