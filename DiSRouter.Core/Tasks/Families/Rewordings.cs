using DiSRouter.Core.Tasks.Grading;
using DiSRouter.Core.Tasks.Knowledge;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// The out-of-domain families: each in-domain family asked in new words (multiple choice: its stem, the options as trained). The new wordings stay
/// about as long as the trained ones (prompts keep to <see cref="TaskLimits.MaxPromptBytes"/>) and range from a synonym
/// ("drops" for "loses") to a new sentence shape ("The capital of Vornia is which city?").
/// </summary>
internal static class Rewordings
{
    private const string Name = "(?<n>[A-Z][a-z]+)";

    public static ITaskGenerator Arithmetic(ITaskGenerator source) => new RewordedFamily(source,
        new(TaskFamilies.ArithmeticReworded, TaskDomain.OutOfDomain,
            "Arithmetic chains in wordings never trained on; difficulty = number of operations.", [GraderKind.Numeric], "GSM8K (new wording)"),
        new(ArithmeticRule));

    public static ITaskGenerator WordProblem(ITaskGenerator source) => new RewordedFamily(source,
        new(TaskFamilies.WordProblemReworded, TaskDomain.OutOfDomain,
            "Word problems told with new verbs and questions; difficulty = number of steps.", [GraderKind.Numeric], "SVAMP (GSM8K reworded)"),
        new(
            ($"{Name} has (?<k>[0-9]+) packs of (?<m>[0-9]+) (?<t>[a-z]+)\\.", ["${n} owns ${k} bags of ${m} ${t}.", "${n} has ${k} boxes of ${m} ${t}."]),
            ($"{Name} has (?<v>[0-9]+) (?<t>[a-z]+)\\.", ["${n} owns ${v} ${t}.", "${n} starts with ${v} ${t}."]),
            ($"{Name} buys (?<b>[0-9]+) more\\.", ["${n} buys another ${b}.", "${n} adds ${b} more."]),
            ($"{Name} finds (?<b>[0-9]+) more\\.", ["${n} picks up ${b}.", "${n} finds ${b} extra."]),
            ($"{Name} gets (?<b>[0-9]+) more\\.", ["${n} is given ${b}.", "${n} wins ${b} more."]),
            ($"{Name} loses (?<b>[0-9]+)\\.", ["${n} drops ${b}.", "${n} misplaces ${b}."]),
            ($"{Name} sells (?<b>[0-9]+)\\.", ["${n} gives away ${b}.", "${n} trades ${b}."]),
            ($"{Name} uses (?<b>[0-9]+)\\.", ["${n} breaks ${b}.", "${n} eats ${b}."]),
            ($"How many (?<t>[a-z]+) does {Name} have\\?$", ["How many ${t} now?", "How many ${t} are left?", "How many ${t} does ${n} own?"])));

    public static ITaskGenerator VariableChain(ITaskGenerator source) => new RewordedFamily(source,
        new(TaskFamilies.VariableChainReworded, TaskDomain.OutOfDomain,
            "Variable chains in new framings; difficulty = number of steps.", [GraderKind.Numeric], "GSM8K multi-step (new wording)"),
        new(("^(?<d>.+)\\. What is (?<v>[a-z])\\?$", ["Let ${d}. Find ${v}.", "Given ${d}, what is ${v}?", "If ${d}, then ${v} is?"])));

    /// <summary>Every relation's trained questions, each mapped to the relation's new wordings (<see cref="Relation.NewQuestions"/>).</summary>
    public static ITaskGenerator Knowledge(ITaskGenerator source) => new RewordedFamily(source,
        new(TaskFamilies.KnowledgeReworded, TaskDomain.OutOfDomain,
            "Knowledge-base facts asked in question forms never trained on; difficulty = the fact's frequency tier.", [GraderKind.Text],
            "HeadQA (recall in new forms)"),
        new([.. Relation.All.SelectMany(r => r.Questions.Select(q => RelationRule(q, r)))]));

    /// <summary>
    /// The options stay as trained; the stem is asked the way the arithmetic and knowledge rewordings ask it ("Compute 7*8.",
    /// "The capital of Vornia is which city?").
    /// </summary>
    public static ITaskGenerator MultipleChoice(ITaskGenerator source) => new RewordedFamily(source,
        new(TaskFamilies.MultipleChoiceReworded, TaskDomain.OutOfDomain,
            "Multiple-choice stems in wordings never trained on, the options as trained; difficulty = tier or digits.", [GraderKind.Choice],
            "HeadQA / ARC (new stem wording)"),
        new([ArithmeticRule, .. Relation.All.Select(r => RelationRule(r.ChoiceStem, r))]));

    // "What is 14+7-5?" asked anew; the arithmetic family's questions and multiple choice's sums share it.
    private static readonly (string Pattern, string[] Replacements) ArithmeticRule =
        ("^What is (?<e>.+)\\?$", ["Compute ${e}.", "Calculate ${e}.", "Work out ${e}.", "How much is ${e}?", "Find the value of ${e}."]);

    // A relation's trained wording (its subject as {s}) mapped to the relation's new wordings.
    private static (string Pattern, string[] Replacements) RelationRule(string trained, Relation relation) =>
        ("^" + System.Text.RegularExpressions.Regex.Escape(trained).Replace("\\{s}", "(?<s>[A-Za-z-]+)", StringComparison.Ordinal) + "$",
         relation.NewQuestions.Select(n => n.Replace("{s}", "${s}", StringComparison.Ordinal)).ToArray());

    /// <summary>The passage stays as trained; its question is worded anew.</summary>
    public static ITaskGenerator Reading(ITaskGenerator source) => new RewordedFamily(source,
        new(TaskFamilies.ReadingReworded, TaskDomain.OutOfDomain,
            "Passages whose questions are worded anew; difficulty = length and operation.", [GraderKind.Numeric, GraderKind.Text],
            "SQuAD (new question wording)"),
        new(
            ($"^How many (?<t>[a-z]+) does {Name} have\\?$", ["What number of ${t} does ${n} have?", "Count the ${t} of ${n}.", "${n} has how many ${t}?"]),
            ($"^Where does {Name} live\\?$", ["In which town does ${n} live?", "Name the town of ${n}.", "${n} lives where?"]),
            ("^How many (?<t>[a-z]+) do (?<a>[A-Z][a-z]+) and (?<b>[A-Z][a-z]+) have in all\\?$",
                ["How many ${t} do ${a} and ${b} have together?", "Count the ${t} of ${a} and ${b}.", "${a} and ${b} have how many ${t}?"]),
            ("^How many (?<t>[a-z]+) in all\\?$", ["How many ${t} are there in total?", "Count all the ${t}.", "What is the total of ${t}?"])));
}
