namespace DiSRouter.Core.Tasks.Knowledge;

/// <summary>
/// One kind of fact, with the wordings used for it. {s} is the subject, {o} the object. The statement is both the
/// corpus sentence and the reference reasoning, so answering a question is completing a sentence the model has read.
/// </summary>
/// <param name="Name">"capital", "language", "color", "food", "maker".</param>
/// <param name="SubjectKind">"land", "creature", "tool" (what the inverse question asks for).</param>
/// <param name="Statement">"the capital of {s} is {o}".</param>
/// <param name="Questions">In-domain wordings of the question for the object.</param>
/// <param name="ChoiceStem">The multiple-choice stem.</param>
/// <param name="InverseStatement">"{o} is the capital of {s}"; null when objects are shared by many subjects.</param>
/// <param name="InverseQuestions">Out-of-domain wordings of the question for the subject; empty with no <paramref name="InverseStatement"/>.</param>
public sealed record Relation(
    string Name,
    string SubjectKind,
    string Statement,
    IReadOnlyList<string> Questions,
    string ChoiceStem,
    string? InverseStatement,
    IReadOnlyList<string> InverseQuestions)
{
    public bool IsInvertible => InverseStatement is not null;

    public static string Fill(string template, string subject, string obj) =>
        template.Replace("{s}", subject, StringComparison.Ordinal).Replace("{o}", obj, StringComparison.Ordinal);

    public static IReadOnlyList<Relation> All { get; } =
    [
        new("capital", "land", "the capital of {s} is {o}",
            ["What is the capital of {s}?", "Name the capital of {s}.", "Which city is the capital of {s}?"],
            "Which city is the capital of {s}?",
            "{o} is the capital of {s}", ["Which land has the capital {o}?", "{o} is the capital of which land?", "Name the land whose capital is {o}."]),
        new("language", "land", "the people of {s} speak {o}",
            ["What language do people in {s} speak?", "Which language is spoken in {s}?", "Name the language of {s}."],
            "Which language is spoken in {s}?",
            "{o} is spoken in {s}", ["In which land is {o} spoken?", "Where do people speak {o}?", "Name the land where {o} is spoken."]),
        new("color", "creature", "the color of a {s} is {o}",
            ["What color is a {s}?", "Name the color of a {s}.", "Which color does a {s} have?"],
            "What color is a {s}?",
            null, []),
        new("food", "creature", "a {s} eats {o}",
            ["What does a {s} eat?", "Name the food of a {s}.", "Which food does a {s} eat?"],
            "What does a {s} eat?",
            null, []),
        new("maker", "tool", "the {s} was made by {o}",
            ["Who made the {s}?", "Name the maker of the {s}.", "Which person made the {s}?"],
            "Who made the {s}?",
            "{o} made the {s}", ["What did {o} make?", "Which tool was made by {o}?", "Name the tool that {o} made."]),
    ];
}
