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
/// <param name="NewQuestions">Out-of-domain wordings of the question for the object, never trained on (the knowledge-reworded family).</param>
public sealed record Relation(
    string Name,
    string SubjectKind,
    string Statement,
    IReadOnlyList<string> Questions,
    string ChoiceStem,
    string? InverseStatement,
    IReadOnlyList<string> NewQuestions)
{
    public bool IsInvertible => InverseStatement is not null;

    public static string Fill(string template, string subject, string obj) =>
        template.Replace("{s}", subject, StringComparison.Ordinal).Replace("{o}", obj, StringComparison.Ordinal);

    public static IReadOnlyList<Relation> All { get; } =
    [
        new("capital", "land", "the capital of {s} is {o}",
            ["What is the capital of {s}?", "Name the capital of {s}.", "Which city is the capital of {s}?"],
            "Which city is the capital of {s}?",
            "{o} is the capital of {s}", ["Tell me the capital of {s}.", "What city is the capital of {s}?", "The capital of {s} is which city?"]),
        new("language", "land", "the people of {s} speak {o}",
            ["What language do people in {s} speak?", "Which language is spoken in {s}?", "Name the language of {s}."],
            "Which language is spoken in {s}?",
            "{o} is spoken in {s}", ["Tell me the language of {s}.", "What do people in {s} speak?", "The people of {s} speak which language?"]),
        new("color", "creature", "the color of a {s} is {o}",
            ["What color is a {s}?", "Name the color of a {s}.", "Which color does a {s} have?"],
            "What color is a {s}?",
            null, ["Tell me the color of a {s}.", "A {s} has which color?", "What is the color of a {s}?"]),
        new("food", "creature", "a {s} eats {o}",
            ["What does a {s} eat?", "Name the food of a {s}.", "Which food does a {s} eat?"],
            "What does a {s} eat?",
            null, ["Tell me what a {s} eats.", "A {s} eats which food?", "What is the food of a {s}?"]),
        new("maker", "tool", "the {s} was made by {o}",
            ["Who made the {s}?", "Name the maker of the {s}.", "Which person made the {s}?"],
            "Who made the {s}?",
            "{o} made the {s}", ["Tell me who made the {s}.", "The {s} was made by whom?", "Who is the maker of the {s}?"]),
    ];
}
