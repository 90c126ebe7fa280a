using System.Diagnostics;
using System.Globalization;
using DiSRouter.Core.Tasks;
using DiSRouter.Training.Pool;
using Spectre.Console;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>What the self-awareness commands share: the nano world, α grids, progress display, exit codes.</summary>
internal static class SelfAwareCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
    public const int Cancelled = 130;

    /// <summary>The world the nano pool was trained in, with evenly mixed difficulties.</summary>
    public static TaskSuite NanoSuite() =>
        new(NanoPool.Corpus.WorldSeed, NanoPool.Corpus.QuestionOptions);

    /// <summary>
    /// <paramref name="itemsPerFamily"/> items of <paramref name="split"/> from each named in-domain family (all by default),
    /// family after family: the report's and the calibration's query sets. Throws ArgumentException for an unknown family.
    /// </summary>
    public static IReadOnlyList<TaskItem> SplitItems(TaskSplit split, int itemsPerFamily, string? families)
    {
        var suite = NanoSuite();
        var names = ParseList(families) ?? suite.InDomainFamilies.Select(f => f.Name).ToList();
        return names.SelectMany(f => suite.Generate(f, split, itemsPerFamily)).ToList();
    }

    /// <summary>
    /// A comma-separated list whose items are an α ("0.35"), a scenario name ("balance") or a grid
    /// "start:stop:step" (both ends included): "0.2,0.5,0.8", "cost-first,0:0.4:0.1".
    /// </summary>
    public static IReadOnlyList<double> ParseAlphas(string text)
    {
        var list = new List<double>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split(':', StringSplitOptions.TrimEntries);
            if (parts.Length == 3)
            {
                double start = Number(parts[0]), stop = Number(parts[1]), step = Number(parts[2]);
                if (!(step > 0) || start > stop) throw new FormatException($"The α grid '{item}' needs start ≤ stop and a positive step.");
                for (int i = 0; start + i * step <= stop + 1e-9; i++) list.Add(Math.Round(start + i * step, 6));
            }
            else if (Core.Scenarios.Scenario.TryParse(item, out var scenario)) list.Add(scenario.Alpha);
            else throw new FormatException($"'{item}' is neither an α in [0, 1], a scenario name, nor a grid start:stop:step.");
        }
        return Check(list, text);

        static double Number(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v : throw new FormatException($"'{s}' is not a number.");
    }

    private static IReadOnlyList<double> Check(List<double> alphas, string text)
    {
        if (alphas.Count == 0) throw new FormatException($"No α in '{text}'.");
        if (alphas.Any(a => a is < 0 or > 1)) throw new FormatException($"Every α in '{text}' must lie in [0, 1].");
        if (alphas.Distinct().Count() != alphas.Count) throw new FormatException($"The α list '{text}' repeats a value.");
        return alphas;
    }

    /// <summary>The torch device a stage runs on for <c>--engine</c> and <c>--device</c>: null for ours (disrouter).</summary>
    public static string? TorchDevice(string engine, string device) => engine switch
    {
        "torch" => device,
        "disrouter" => null,
        var other => throw new FormatException($"--engine '{other}': use disrouter or torch."),
    };

    public static IReadOnlyList<string>? ParseList(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The answer length budget of a pool member, read from the pool manifest beside its checkpoint; else the fallback.</summary>
    public static int MaxNewTokensFor(string checkpoint, int fallback)
    {
        var full = Path.GetFullPath(checkpoint).TrimEnd(Path.DirectorySeparatorChar);
        var manifest = Path.Combine(Path.GetDirectoryName(full) ?? ".", PoolManifest.FileName);
        if (!File.Exists(manifest)) return fallback;
        var member = PoolManifest.Load(manifest).Models.FirstOrDefault(m => m.Directory == Path.GetFileName(full));
        return member?.MaxNewTokens ?? fallback;
    }

    /// <summary>
    /// Runs a stage with progress bars on an interactive terminal, or a log line every few seconds on a redirected
    /// output (a redrawn bar makes an unreadable log). Cancellation (Ctrl+C) exits with 130; the stage has saved its progress.
    /// </summary>
    public static int RunStage(string title, TextWriter output, TextWriter error, Func<Action<StageProgress>, int> body)
    {
        try
        {
            if (ReferenceEquals(output, Console.Out) && AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
            {
                int rc = 0;
                AnsiConsole.Progress().AutoClear(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                        new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .Start(ctx =>
                    {
                        var bars = new Dictionary<string, ProgressTask>();
                        rc = body(p =>
                        {
                            if (!bars.TryGetValue(p.Phase, out var bar)) bars[p.Phase] = bar = ctx.AddTask(Markup.Escape(p.Phase), maxValue: Math.Max(1, p.Total));
                            bar.MaxValue = Math.Max(1, p.Total);
                            bar.Value = p.Done;
                            bar.Description = Markup.Escape(p.Detail is null ? p.Phase : $"{p.Phase} {p.Detail}");
                        });
                    });
                return rc;
            }
            var sinceLog = Stopwatch.StartNew();
            output.WriteLine($"{DateTime.Now:HH:mm:ss} {title}: start");
            var rc2 = body(p =>
            {
                if (p.Done < p.Total && sinceLog.Elapsed < TimeSpan.FromSeconds(10)) return;
                sinceLog.Restart();
                output.WriteLine($"{DateTime.Now:HH:mm:ss} {p.Phase}: {p.Done}/{p.Total} {p.Detail}");
            });
            return rc2;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine($"{title}: cancelled; progress is saved, run the same command again to resume.");
            return Cancelled;
        }
    }
}
