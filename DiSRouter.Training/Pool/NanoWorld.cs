using DiSRouter.Core.Tasks;
using DiSRouter.Core.Tasks.Grading;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Training.Pool;

/// <summary>
/// The bridge between the nano world's tasks (<see cref="TaskSuite"/>) and the pool: training documents
/// in the chat layout (<c>&lt;|bos|&gt;&lt;|system|&gt;&lt;|user|&gt;question&lt;|assistant|&gt;answer&lt;|eos|&gt;</c>,
/// loss on the answer and its end), fact statements as plain text (loss on every token), and graded
/// evaluation queries in the same layout.
/// </summary>
internal static class NanoWorld
{
    /// <summary>Bumped whenever this file changes what the corpus holds; part of the data hash.</summary>
    public const string GeneratorVersion = "nano-world/3";

    /// <summary>Pool members see no system prompt in pretraining; the marker stays so later stages can fill it.</summary>
    public const string SystemPrompt = "";

    public static TaskSuite Suite(CorpusSpec spec) => new(spec.WorldSeed, spec.SuiteOptions);

    public static IEnumerable<CorpusDocument> TrainingDocuments(CorpusSpec spec, ITokenizer tokenizer, IReadOnlyList<string>? families = null)
    {
        var suite = Suite(spec);
        foreach (var family in suite.InDomainFamilies.Where(f => families is null || families.Contains(f.Name)))
            foreach (var item in family.Name == TaskFamilies.Knowledge
                         ? suite.KnowledgeTrainingItems(spec.FactPasses) // asked as often as stated: the knowledge boundary
                         : suite.Generate(family.Name, TaskSplit.Train, spec.ItemsPerFamily, spec.DrawSeed))
            {
                var (tokens, mask) = ChatFormat.EncodeExample(tokenizer, SystemPrompt, item.Prompt, item.Target);
                if (spec.PromptLossWeight > 0)
                    for (int i = 1; i < mask.Length && mask[i] == 0; i++) mask[i] = spec.PromptLossWeight; // every prompt token but <|bos|>
                yield return new CorpusDocument(family.Name, tokens, mask);
            }
        if (families is null || families.Contains("drills"))
            foreach (var drill in Pool.DrillSheets.Documents(spec.DrillSheets, spec.DrillsPerSheet, spec.DrawSeed, tokenizer, spec.CopyDrillShare,
                         spec.NameCopyShare, spec.OptionDrillShare))
                yield return drill;
        if (families is not null && !families.Contains("facts")) yield break;
        for (int pass = 0; pass < spec.FactPasses; pass++)
            foreach (var line in suite.Knowledge.Corpus(seed: pass))
                yield return new CorpusDocument("facts", [tokenizer.BosId, .. tokenizer.Encode(line), tokenizer.EosId], null);
    }

    public static PretrainCorpus BuildCorpus(CorpusSpec spec, ITokenizer tokenizer, IReadOnlyList<string>? families = null) =>
        PretrainCorpus.From(TrainingDocuments(spec, tokenizer, families), spec.MaxSequenceLength,
            GeneratorVersion + "|" + System.Text.Json.JsonSerializer.Serialize(spec));

    /// <summary>The first <paramref name="itemsPerFamily"/> items of every family (in-domain first) of a split, graded by the task's grader.</summary>
    public static IReadOnlyList<EvalQuery> Queries(string split, int itemsPerFamily, ITokenizer tokenizer, CorpusSpec? spec = null, IReadOnlyList<string>? families = null)
    {
        if (!TaskSplits.TryParse(split, out var s)) throw new ArgumentException($"Unknown split '{split}': use train, validation or test.", nameof(split));
        // Evaluation mixes difficulties evenly whatever the training mix was; the world itself must be the trained one.
        var world = spec ?? NanoPool.Corpus;
        var suite = new TaskSuite(world.WorldSeed, world.QuestionOptions);
        var queries = new List<EvalQuery>();
        foreach (var family in suite.Families.Where(f => families is null || families.Contains(f.Name)))
        {
            if (s == TaskSplit.Train && family.Domain == TaskDomain.OutOfDomain) continue;
            foreach (var item in suite.Generate(family.Name, s, itemsPerFamily))
                queries.Add(new EvalQuery(family.Name, family.Domain, ChatFormat.EncodePrompt(tokenizer, SystemPrompt, item.Prompt),
                    reply => Grader.IsCorrect(item, reply), item.Difficulty));
        }
        return queries;
    }
}
