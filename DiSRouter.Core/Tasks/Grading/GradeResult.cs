namespace DiSRouter.Core.Tasks.Grading;

/// <summary>
/// The verdict on one reply. A rejection ("I don't know!") is neither right nor wrong an answer:
/// <see cref="Rejected"/> is true and <see cref="Correct"/> false.
/// </summary>
/// <param name="Extracted">The final answer as read from the reply (a number, an option letter, a text), or null.</param>
public sealed record GradeResult(bool Rejected, bool Correct, string? Extracted)
{
    public static GradeResult Rejection { get; } = new(true, false, null);
}
