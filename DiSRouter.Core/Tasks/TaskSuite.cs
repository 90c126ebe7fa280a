using System.Globalization;
using DiSRouter.Core.Tasks.Families;
using DiSRouter.Core.Tasks.Knowledge;

namespace DiSRouter.Core.Tasks;

/// <summary>
/// The nano world's tasks: six in-domain families mirroring GSM8K / ARC / MMLU / RACE / DROP and six out-of-domain
/// families never trained on (each of the six asked in new words), over one seeded knowledge base. Everything is a pure function of the seeds: the same
/// seeds give the same items in every process and on every machine. Splits are fixed by a stable hash of each
/// item's question (or, for knowledge-base items, its fact), so no question appears in two splits.
/// </summary>
public sealed class TaskSuite
{
    // A batch first looks for distinct questions; past this many misses in a row it accepts repeats at that
    // difficulty, which only happens when a split's question space is smaller than the batch (few facts in one tier).
    private const int DistinctAttempts = 200;
    private const int MaxAttemptsPerItem = 50_000;

    private readonly Dictionary<string, ITaskGenerator> _generators;

    public TaskSuite(int seed = 0, TaskSuiteOptions? options = null)
    {
        Options = options ?? new TaskSuiteOptions();
        Options.Validate();
        Seed = seed;
        Knowledge = new KnowledgeBase(seed, Options.Knowledge);
        ITaskGenerator arithmetic = new ArithmeticFamily(Options.HardestArithmetic), wordProblem = new WordProblemFamily(), variableChain = new VariableChainFamily(),
            knowledge = new KnowledgeFamily(Knowledge), reading = new ReadingFamily(), multipleChoice = new MultipleChoiceFamily(Knowledge, Options.ChoiceChain);
        ITaskGenerator[] generators =
        [
            arithmetic, wordProblem, variableChain, knowledge,
            multipleChoice,
            reading,
            Rewordings.Arithmetic(arithmetic),
            Rewordings.WordProblem(wordProblem),
            Rewordings.VariableChain(variableChain),
            Rewordings.Knowledge(knowledge),
            Rewordings.Reading(reading),
            Rewordings.MultipleChoice(multipleChoice),
        ];
        _generators = generators.ToDictionary(g => g.Info.Name, StringComparer.Ordinal);
        Families = generators.Select(g => g.Info).ToList();
    }

    public int Seed { get; }

    /// <summary>The generators by family name, for tests that draw single candidates.</summary>
    internal IReadOnlyDictionary<string, ITaskGenerator> Generators => _generators;

    public TaskSuiteOptions Options { get; }

    public KnowledgeBase Knowledge { get; }

    /// <summary>All families: the in-domain ones first, in a fixed order.</summary>
    public IReadOnlyList<TaskFamily> Families { get; }

    public IReadOnlyList<TaskFamily> InDomainFamilies => Families.Where(f => f.Domain == TaskDomain.InDomain).ToList();

    public IReadOnlyList<TaskFamily> OutOfDomainFamilies => Families.Where(f => f.Domain == TaskDomain.OutOfDomain).ToList();

    public TaskFamily Family(string name) =>
        _generators.TryGetValue(name, out var g) ? g.Info
        : throw new ArgumentException($"Unknown task family '{name}'. Known: {string.Join(", ", _generators.Keys)}.", nameof(name));

    /// <summary>
    /// <paramref name="count"/> items of one family from one split, difficulties mixed by
    /// <see cref="TaskSuiteOptions.DifficultyWeights"/>, in a seeded random order. Different
    /// <paramref name="seed"/>s give different draws from the same split. Out-of-domain families have no training split.
    /// </summary>
    public IReadOnlyList<TaskItem> Generate(string family, TaskSplit split, int count, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var info = Family(family);
        if (split == TaskSplit.Train && info.Domain == TaskDomain.OutOfDomain)
            throw new ArgumentException($"'{family}' is out of domain: it is never used for training, so it has no training split.", nameof(split));

        var generator = _generators[family];
        var inv = CultureInfo.InvariantCulture;
        var splitName = TaskSplits.Name(split);
        var rng = new StableRandom("suite", Seed.ToString(inv), family, splitName, seed.ToString(inv));
        var difficulties = Allot(count, Options.DifficultyWeights);

        var items = new List<TaskItem>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var exhausted = new bool[6];
        foreach (var difficulty in difficulties)
        {
            var misses = 0;
            for (var attempt = 0; ; attempt++)
            {
                if (attempt >= MaxAttemptsPerItem)
                    throw new InvalidOperationException(
                        $"Family '{family}' produced no {splitName} item at difficulty {difficulty} in {MaxAttemptsPerItem} attempts; the world is too small (raise KnowledgeBaseOptions.EntitiesPerKind).");
                var candidate = generator.Create(rng, difficulty);
                if (TaskSplits.Of(candidate.SplitKey) != split) continue;
                if (!seen.Add(candidate.Prompt) && !exhausted[difficulty])
                {
                    // Once a difficulty has run out of fresh questions, stop searching for them at that difficulty.
                    if (++misses < DistinctAttempts) continue;
                    exhausted[difficulty] = true;
                }
                items.Add(candidate);
                break;
            }
        }
        rng.Shuffle(items);
        for (var i = 0; i < items.Count; i++)
            items[i] = items[i] with { Id = $"{family}-{splitName}-{seed.ToString(inv)}-{i.ToString("D5", inv)}" };
        return items;
    }

    /// <summary>
    /// The default split: <see cref="TaskSuiteOptions.PerFamily"/> items of every family, family by family
    /// (seed 0). The training split holds the in-domain families only.
    /// </summary>
    public IReadOnlyList<TaskItem> Items(TaskSplit split)
    {
        var all = new List<TaskItem>();
        foreach (var f in Families)
        {
            if (split == TaskSplit.Train && f.Domain == TaskDomain.OutOfDomain) continue;
            all.AddRange(Generate(f.Name, split, Options.PerFamily(split)));
        }
        return all;
    }

    /// <summary>
    /// The knowledge family's questions as pretraining sees them: every fact asked as often as the corpus states it
    /// (its Zipf–Mandelbrot <see cref="Fact.Repeats"/>, times <paramref name="passes"/>), cycling through those of its
    /// wordings that fall in the train split. A uniform draw per tier would teach rare facts as often as frequent ones
    /// and erase the knowledge boundary; a fact with no wording in the train split is only ever stated.
    /// </summary>
    public IReadOnlyList<TaskItem> KnowledgeTrainingItems(int passes = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(passes);
        var family = (KnowledgeFamily)_generators[TaskFamilies.Knowledge];
        var items = new List<TaskItem>();
        foreach (var fact in Knowledge.Facts)
        {
            var wordings = fact.Relation.Questions.Select(t => Relation.Fill(t, fact.Subject, fact.Object))
                .Where(q => TaskSplits.Of(q) == TaskSplit.Train).ToList();
            if (wordings.Count == 0) continue;
            for (var k = 0; k < fact.Repeats * passes; k++)
                items.Add(family.Ask(fact, wordings[k % wordings.Count]) with { Id = $"knowledge-train-{fact.Rank}-{k}" });
        }
        return items;
    }

    /// <summary>How many items of each difficulty (1–5) a batch of <paramref name="count"/> holds: largest remainder.</summary>
    public static int[] DifficultyCounts(int count, IReadOnlyList<double> weights)
    {
        var total = weights.Sum();
        var exact = weights.Select(w => count * w / total).ToArray();
        var counts = exact.Select(e => (int)Math.Floor(e)).ToArray();
        var left = count - counts.Sum();
        foreach (var i in Enumerable.Range(0, weights.Count).OrderByDescending(i => exact[i] - counts[i]).ThenBy(i => i).Take(left))
            counts[i]++;
        return counts;
    }

    private static List<int> Allot(int count, IReadOnlyList<double> weights)
    {
        var counts = DifficultyCounts(count, weights);
        var list = new List<int>(count);
        for (var d = 0; d < counts.Length; d++) list.AddRange(Enumerable.Repeat(d + 1, counts[d]));
        return list;
    }
}
