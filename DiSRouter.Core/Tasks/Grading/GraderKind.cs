namespace DiSRouter.Core.Tasks.Grading;

/// <summary>Which grader an item gets: options → <see cref="Choice"/>; a numeric answer → <see cref="Numeric"/>; else <see cref="Text"/>.</summary>
public enum GraderKind
{
    Numeric,
    Choice,
    Text,
}
