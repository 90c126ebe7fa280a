namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// A training or test query as the self-awareness stages see it: what the model is asked (the task's own system
/// instruction, if any, and the question) and how its reply is judged (<see cref="IReplyGrader"/>).
/// </summary>
internal sealed record TrainingQuery(string Id, string Family, string Difficulty, string? System, string Question, string Reference);

/// <summary>How a reply to a query was judged.</summary>
internal readonly record struct GradedReply(ResponseOutcome Outcome, string? Answer)
{
    public bool Correct => Outcome == ResponseOutcome.Correct;
}

/// <summary>Judges replies: a rejection ("I don't know!") or an answer read from the template and compared with the reference.</summary>
internal interface IReplyGrader
{
    GradedReply Grade(TrainingQuery query, string reply);
}
