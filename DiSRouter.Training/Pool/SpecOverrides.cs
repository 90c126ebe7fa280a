using System.Globalization;
using DiSRouter.Core.Tasks;

namespace DiSRouter.Training.Pool;

/// <summary>
/// <c>--set nano-3.steps=2000,nano-3.lr=3e-3,corpus.passes=2</c>: changes to the pool's spec for pilots
/// and experiments, without editing code. Every override changes the spec hash, so an overridden
/// member never passes for the committed one.
/// </summary>
internal static class SpecOverrides
{
    public static (IReadOnlyList<PoolMemberSpec> Members, CorpusSpec Corpus) Apply(string? text, IReadOnlyList<PoolMemberSpec> members, CorpusSpec corpus)
    {
        if (string.IsNullOrWhiteSpace(text)) return (members, corpus);
        var list = members.ToList();
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=');
            var dot = pair.IndexOf('.');
            if (eq < 0 || dot < 0 || dot > eq) throw new ArgumentException($"Override '{pair}' is not of the form <member|all|corpus>.<field>=<value>.");
            string target = pair[..dot], field = pair[(dot + 1)..eq].ToLowerInvariant(), value = pair[(eq + 1)..];
            if (target == "corpus") { corpus = ApplyCorpus(corpus, field, value); continue; }
            var indices = target == "all" ? Enumerable.Range(0, list.Count).ToList() : [list.FindIndex(m => m.Name == target)];
            if (indices[0] < 0) throw new ArgumentException($"Override '{pair}': no member '{target}'.");
            foreach (var i in indices) list[i] = ApplyMember(list[i], field, value);
        }
        return (list, corpus);
    }

    private static int I(string v) => int.Parse(v, CultureInfo.InvariantCulture);
    private static double D(string v) => double.Parse(v, CultureInfo.InvariantCulture);

    // A named value of an enum, any case; a number or an unknown name is refused with the names there are.
    private static T E<T>(string field, string v) where T : struct, Enum =>
        Enum.TryParse<T>(v, ignoreCase: true, out var e) && Enum.IsDefined(e)
            ? e : throw new ArgumentException($"{field}: '{v}' is not one of {string.Join(", ", Enum.GetNames<T>())}.");

    private static PoolMemberSpec ApplyMember(PoolMemberSpec m, string field, string v)
    {
        var c = m.Config;
        return field switch
        {
            "steps" => m with { Steps = I(v) },
            "batch" => m with { BatchSize = I(v) },
            "micro" => m with { MicroBatchSize = I(v) },
            "lr" => m with { LearningRate = (float)D(v) },
            "minlr" => m with { MinLearningRateRatio = (float)D(v) },
            "warmup" => m with { WarmupSteps = I(v) },
            "wd" => m with { WeightDecay = (float)D(v) },
            "seed" => m with { Seed = I(v) },
            "curriculum" => m with { CurriculumSteps = I(v) },
            "curriculumtokens" => m with { CurriculumMaxTokens = I(v) },
            "maxnew" => m with { MaxNewTokens = I(v) },
            "hidden" => m with { Config = c with { HiddenSize = I(v), IntermediateSize = Models.TransformerConfig.SwiGluHidden(I(v)) } },
            "layers" => m with { Config = c with { NumHiddenLayers = I(v) } },
            "heads" => m with { Config = c with { NumAttentionHeads = I(v) } },
            "kvheads" => m with { Config = c with { NumKeyValueHeads = I(v) } },
            "tied" => m with { Config = c with { TieWordEmbeddings = bool.Parse(v) } },
            _ => throw new ArgumentException($"Unknown member field '{field}' (steps, batch, micro, lr, minlr, warmup, wd, seed, curriculum, curriculumtokens, maxnew, hidden, layers, heads, kvheads, tied)."),
        };
    }

    private static CorpusSpec ApplyCorpus(CorpusSpec s, string field, string v) => field switch
    {
        "items" => s with { ItemsPerFamily = I(v) },
        "passes" => s with { FactPasses = I(v) },
        "drawseed" => s with { DrawSeed = I(v) },
        "weights" => s with { DifficultyWeights = v.Split('/').Select(D).ToArray() },
        "maxrepeats" => s with { Knowledge = s.Knowledge with { MaxRepeats = I(v) } },
        "exponent" => s with { Knowledge = s.Knowledge with { Exponent = D(v) } },
        "offset" => s with { Knowledge = s.Knowledge with { Offset = D(v) } },
        "promptloss" => s with { PromptLossWeight = (float)D(v) },
        "drills" => s with { DrillSheets = I(v) },
        "drillsize" => s with { DrillsPerSheet = I(v) },
        "copyshare" => s with { CopyDrillShare = D(v) },
        "nameshare" => s with { NameCopyShare = D(v) },
        "optionshare" => s with { OptionDrillShare = D(v) },
        "choicechain" => s with { ChoiceChain = E<ChoiceChain>("corpus.choicechain", v) },
        "arithmetic" => s with { HardestArithmetic = E<ArithmeticOpening>("corpus.arithmetic", v) },
        _ => throw new ArgumentException($"Unknown corpus field '{field}' (items, passes, drawseed, weights, maxrepeats, exponent, offset, promptloss, drills, drillsize, copyshare, nameshare, optionshare, choicechain, arithmetic)."),
    };
}
