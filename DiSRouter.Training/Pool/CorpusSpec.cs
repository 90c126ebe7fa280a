using System.Text.Json.Serialization;
using DiSRouter.Core.Tasks;
using DiSRouter.Core.Tasks.Knowledge;

namespace DiSRouter.Training.Pool;

/// <summary>
/// What the pool is trained on: the in-domain families' train split (chain-of-thought answers in the
/// answer template) plus passes over the knowledge base's fact statements, each stated as often as its
/// Zipf–Mandelbrot rank allows, so that frequent facts are learnt by every member and rare ones only
/// by the large members.
/// </summary>
internal sealed record CorpusSpec
{
    /// <summary>Seed of the nano world (<see cref="TaskSuite"/>): the knowledge base and the question space. Evaluation uses the same.</summary>
    public int WorldSeed { get; init; }

    /// <summary>Seed of the draw of training items from the train split.</summary>
    public int DrawSeed { get; init; } = 1;

    /// <summary>Train items drawn per in-domain family.</summary>
    public int ItemsPerFamily { get; init; } = 4000;

    /// <summary>Relative weight of difficulties 1–5 among the drawn train items.</summary>
    public IReadOnlyList<double> DifficultyWeights { get; init; } = [1, 1, 1, 1, 1];

    /// <summary>The knowledge base's size and statement frequencies (its Zipf exponent, offset and head count).</summary>
    public KnowledgeBaseOptions Knowledge { get; init; } = new();

    /// <summary>Passes over the fact corpus, each shuffled differently.</summary>
    public int FactPasses { get; init; } = 1;

    /// <summary>
    /// Loss weight on a question's own tokens (0: answer only, as in SFT). A positive weight makes pretraining plain
    /// next-token prediction over the whole document, whose repeated names and numbers are extra copying practice.
    /// </summary>
    public float PromptLossWeight { get; init; }

    /// <summary>Drill sheets of step primitives (<see cref="DrillSheets"/>) added to the corpus; 0 adds none.</summary>
    public int DrillSheets { get; init; }

    /// <summary>Equations on one drill sheet.</summary>
    public int DrillsPerSheet { get; init; } = 16;

    /// <summary>Share of a sheet's drills that are copy drills rather than equations.</summary>
    public double CopyDrillShare { get; init; }

    /// <summary>
    /// Share of the copy drills that copy an invented name ("Zosmor -> Zosmor") instead of numbers or a person's name.
    /// Left out of the spec's JSON while 0, so that adding it kept the shipped pool's data hash.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double NameCopyShare { get; init; }

    /// <summary>
    /// Share of a sheet's drills that are option drills ("A) 27 | B) 37 | C) 19 | D) 17 : 17 -> D"): the multiple-choice
    /// step that names the letter of a value. Left out of the spec's JSON while 0, like <see cref="NameCopyShare"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double OptionDrillShare { get; init; }

    /// <summary>
    /// How multiple-choice chains name their letter (<see cref="Core.Tasks.ChoiceChain"/>). Left out of the spec's JSON while
    /// the default, like <see cref="NameCopyShare"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ChoiceChain ChoiceChain { get; init; }

    /// <summary>
    /// How the hardest arithmetic chains open (<see cref="Core.Tasks.ArithmeticOpening"/>): part of the world, so evaluation
    /// asks what training taught. Left out of the spec's JSON while the default, like <see cref="NameCopyShare"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ArithmeticOpening HardestArithmetic { get; init; }

    /// <summary>Longest training sequence in tokens; longer examples are dropped (and counted), never truncated.</summary>
    public int MaxSequenceLength { get; init; } = 256;

    /// <summary>
    /// The options that decide which questions the world asks, difficulties mixed evenly: what evaluation and the agents'
    /// training queries draw from (the chain style and the training mix of difficulties stay out). Left out of the
    /// spec's JSON, which the data hash covers: it is read off the fields above, and a new property in that JSON would
    /// change the hash of an unchanged corpus and send every trained member back to step 0.
    /// </summary>
    [JsonIgnore]
    public TaskSuiteOptions QuestionOptions => new() { Knowledge = Knowledge, HardestArithmetic = HardestArithmetic };

    /// <summary>The questions of <see cref="QuestionOptions"/> with the training mix of difficulties and the chain style.</summary>
    public TaskSuiteOptions SuiteOptions => QuestionOptions with { DifficultyWeights = DifficultyWeights, ChoiceChain = ChoiceChain };
}
