using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using DiSRouter.Models.Tokenization;
using DiSRouter.Training.Pool;
using Spectre.Console;

namespace DiSRouter.Training.Commands;

/// <summary>
/// <c>evaluate --pool nano --split test [--json]</c>: greedy accuracy, latency and answer length of every
/// pool member per family and per domain, in pool order.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var pool = new Option<string>("--pool") { Description = "Pool name.", DefaultValueFactory = _ => NanoPool.Name };
        var poolDir = new Option<string?>("--pool-dir") { Description = "Directory with manifest.json and the checkpoints (default: models/<pool>-pool)." };
        var split = new Option<string>("--split") { Description = "train, validation or test.", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("train", "validation", "test");
        var items = new Option<int>("--items-per-family") { Description = "Queries per family (the first N of the split).", DefaultValueFactory = _ => PoolEvaluation.DefaultItemsPerFamily };
        var json = new Option<bool>("--json") { Description = "One JSON line per model and family (and family \"all\" per domain)." };
        var parallel = new Option<int>("--parallel") { Description = "Concurrent queries.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var models = new Option<string?>("--models") { Description = "Comma-separated subset of members (default: all)." };
        var byDifficulty = new Option<bool>("--by-difficulty") { Description = "Also print accuracy per family and difficulty (table mode)." };
        var familiesOption = new Option<string?>("--families") { Description = "Comma-separated families to ask (default: every family of the split)." };
        var set = new Option<string?>("--set") { Description = "The world a pilot was trained in, as pretrain took it: corpus.<field>=<value>,… (e.g. corpus.arithmetic=TwoDigitProduct)." };
        var show = new Option<int>("--show") { Description = "Print the first N replies of each family with their grade (table mode)." };

        var command = new Command("evaluate", "Accuracy, latency and tokens of each pool member, per family and domain.")
        {
            pool, poolDir, split, items, json, parallel, models, byDifficulty, show, familiesOption, set,
        };
        command.SetAction((parse, ct) => Task.FromResult(Run(
            parse.GetValue(pool)!, parse.GetValue(poolDir), parse.GetValue(split)!, parse.GetValue(items), parse.GetValue(json),
            parse.GetValue(parallel), parse.GetValue(models), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct,
            parse.GetValue(byDifficulty), parse.GetValue(show), parse.GetValue(familiesOption), parse.GetValue(set))));
        return command;
    }

    private static readonly JsonSerializerOptions JsonLine = new() { WriteIndented = false };

    public static int Run(string pool, string? poolDir, string split, int itemsPerFamily, bool json, int parallelism,
        string? modelFilter, TextWriter output, TextWriter error, CancellationToken ct, bool byDifficulty = false, int show = 0,
        string? familyFilter = null, string? worldOverrides = null)
    {
        if (pool != NanoPool.Name) { error.WriteLine($"Unknown pool '{pool}'; the known pool is '{NanoPool.Name}'."); return 2; }
        if (itemsPerFamily < 1) { error.WriteLine("--items-per-family must be at least 1."); return 2; }
        var dir = poolDir ?? PoolPaths.PoolDirectory(pool);
        var members = PoolEvaluation.Members(dir, NanoPool.Members);
        if (modelFilter is not null)
        {
            var wanted = modelFilter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
            var unknown = wanted.Except(members.Select(m => m.Name)).ToArray();
            if (unknown.Length > 0) { error.WriteLine($"Unknown member(s) {string.Join(", ", unknown)} in {dir}."); return 2; }
            members = members.Where(m => wanted.Contains(m.Name)).ToArray();
        }
        if (members.Count == 0) { error.WriteLine($"No trained members in {dir}: run `pretrain --pool {pool}` first."); return 1; }

        CorpusSpec world;
        try
        {
            // Members are what the pool directory holds; only the world they were trained in is the caller's to say.
            if (worldOverrides is not null && worldOverrides.Split(',', StringSplitOptions.RemoveEmptyEntries).Any(o => !o.Trim().StartsWith("corpus.", StringComparison.Ordinal)))
                throw new ArgumentException($"--set takes the world's corpus.<field>=<value> only; got '{worldOverrides}'.");
            world = SpecOverrides.Apply(worldOverrides, NanoPool.Members, NanoPool.Corpus).Corpus;
        }
        catch (Exception e) when (e is ArgumentException or FormatException) { error.WriteLine(e.Message); return 2; }
        IReadOnlyList<string>? families = null;
        if (familyFilter is not null)
        {
            families = familyFilter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var known = NanoWorld.Suite(world).Families.Select(f => f.Name).ToHashSet();
            var unknown = families.Where(f => !known.Contains(f)).ToArray();
            if (unknown.Length > 0) { error.WriteLine($"Unknown famil{(unknown.Length == 1 ? "y" : "ies")} {string.Join(", ", unknown)}; known: {string.Join(", ", known)}."); return 2; }
        }
        var queries = NanoWorld.Queries(split, itemsPerFamily, ByteTokenizer.Default, world, families);
        var all = new List<EvalSummary>();
        foreach (var member in members)
        {
            var (lines, outcomes) = PoolEvaluation.EvaluateMember(member, queries, parallelism, ct: ct);
            all.AddRange(lines);
            if (show > 0 && !json)
                foreach (var g in outcomes.GroupBy(o => o.Query.Family))
                    foreach (var o in g.Take(show))
                        output.WriteLine($"{member.Name} {g.Key} d{o.Query.Difficulty} {(o.Correct ? "RIGHT" : "WRONG")}: " +
                            $"{ByteTokenizer.Default.Decode(o.Query.Prompt).Replace("\n", " | ")} => {o.Text.Replace("\n", " | ")}");
            if (byDifficulty && !json)
                foreach (var g in outcomes.GroupBy(o => o.Query.Family))
                    output.WriteLine($"{member.Name} {g.Key,-18} " + string.Join("  ", g.GroupBy(o => o.Query.Difficulty).OrderBy(d => d.Key)
                        .Select(d => $"d{d.Key} {100.0 * d.Count(o => o.Correct) / d.Count(),5:F1}")));
            if (json) foreach (var line in lines) output.WriteLine(JsonSerializer.Serialize(JsonLineOf(line), JsonLine));
            output.Flush();
        }
        if (!json) WriteTable(all, split, itemsPerFamily, output);
        return 0;
    }

    internal sealed record EvalJsonLine(
        [property: JsonPropertyName("model")] string Model,
        [property: JsonPropertyName("family")] string Family,
        [property: JsonPropertyName("domain")] string Domain,
        [property: JsonPropertyName("n")] int N,
        [property: JsonPropertyName("accuracy")] double Accuracy,
        [property: JsonPropertyName("mean_latency_ms")] double MeanLatencyMs,
        [property: JsonPropertyName("mean_tokens")] double MeanTokens);

    internal static EvalJsonLine JsonLineOf(EvalSummary s) =>
        new(s.Model, s.Family, s.Domain, s.N, Math.Round(s.Accuracy, 4), Math.Round(s.MeanLatencyMs, 2), Math.Round(s.MeanTokens, 1));

    private static void WriteTable(IReadOnlyList<EvalSummary> lines, string split, int items, TextWriter output)
    {
        var families = lines.Where(l => l.Family != "all").Select(l => (l.Family, l.Domain)).Distinct().ToArray();
        var table = new Table().Title($"{split} split, up to {items} queries per family, greedy");
        table.AddColumn("model");
        table.AddColumn(new TableColumn("ID").RightAligned());
        table.AddColumn(new TableColumn("OOD").RightAligned());
        foreach (var (family, domain) in families) table.AddColumn(new TableColumn(domain == "ood" ? family + " (ood)" : family).RightAligned());
        table.AddColumn(new TableColumn("ms/query").RightAligned());
        table.AddColumn(new TableColumn("tokens").RightAligned());
        foreach (var model in lines.Select(l => l.Model).Distinct())
        {
            var mine = lines.Where(l => l.Model == model).ToArray();
            string Pct(string family, string domain) => mine.FirstOrDefault(l => l.Family == family && l.Domain == domain) is { } l ? $"{100 * l.Accuracy:F1}" : "–";
            var everything = mine.Where(l => l.Family != "all").ToArray();
            int n = everything.Sum(l => l.N);
            var row = new List<string> { model, Pct("all", "id"), Pct("all", "ood") };
            row.AddRange(families.Select(f => Pct(f.Family, f.Domain)));
            row.Add($"{everything.Sum(l => l.MeanLatencyMs * l.N) / Math.Max(1, n):F1}");
            row.Add($"{everything.Sum(l => l.MeanTokens * l.N) / Math.Max(1, n):F1}");
            table.AddRow(row.ToArray());
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (Console.IsOutputRedirected || output != Console.Out) console.Profile.Width = 240; // a log is not an 80-column terminal
        console.Write(table);
    }
}
