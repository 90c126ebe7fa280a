using System.Text.Json.Serialization;
using DiSRouter.Core.Tasks.Knowledge;

namespace DiSRouter.Core.Tasks;

/// <summary>How large the default splits are and how difficulties are mixed.</summary>
public sealed record TaskSuiteOptions
{
    public KnowledgeBaseOptions Knowledge { get; init; } = new();

    /// <summary>Items per in-domain family in <see cref="TaskSuite.Items"/>(Train).</summary>
    public int TrainPerFamily { get; init; } = 2000;

    /// <summary>Items per family (both domains) in the validation split.</summary>
    public int ValidationPerFamily { get; init; } = 200;

    /// <summary>Items per family (both domains) in the test split.</summary>
    public int TestPerFamily { get; init; } = 200;

    /// <summary>
    /// Relative weight of difficulties 1–5 in every generated batch; counts are allotted exactly by largest
    /// remainder, so 200 items at equal weights are exactly 40 per difficulty.
    /// </summary>
    public IReadOnlyList<double> DifficultyWeights { get; init; } = [1, 1, 1, 1, 1];

    /// <summary>
    /// How multiple-choice chains name their letter; questions and answers are the same either way. Left out of JSON
    /// while the default: pool specs serialise these options into their data hash.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ChoiceChain ChoiceChain { get; init; } = ChoiceChain.LetterAfterValue;

    /// <summary>
    /// How the hardest arithmetic chains open (<see cref="Tasks.ArithmeticOpening"/>); this one changes the questions.
    /// Left out of JSON while the default, like <see cref="ChoiceChain"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ArithmeticOpening HardestArithmetic { get; init; } = ArithmeticOpening.OneDigitProduct;

    public int PerFamily(TaskSplit split) => split switch
    {
        TaskSplit.Train => TrainPerFamily,
        TaskSplit.Validation => ValidationPerFamily,
        _ => TestPerFamily,
    };

    internal void Validate()
    {
        if (DifficultyWeights.Count != 5 || DifficultyWeights.Any(w => double.IsNaN(w) || w < 0) || DifficultyWeights.Sum() <= 0)
            throw new ArgumentException("DifficultyWeights needs five non-negative weights with a positive sum.", nameof(DifficultyWeights));
        if (TrainPerFamily < 0 || ValidationPerFamily < 0 || TestPerFamily < 0)
            throw new ArgumentOutOfRangeException(nameof(TrainPerFamily), "Item counts cannot be negative.");
    }
}
