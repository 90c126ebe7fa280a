namespace DiSRouter.Core.Tasks;

/// <summary>The reply template every agent is trained to use when it answers.</summary>
public static class AnswerTemplate
{
    public const string StepsPrefix = "Let's think step by step: ";
    public const string FinalAnswerPrefix = "The final answer is: ";

    /// <summary>"Let's think step by step: {reasoning}. The final answer is: {answer}."</summary>
    public static string Format(string reasoning, string answer)
    {
        var steps = reasoning.Trim().TrimEnd('.');
        if (steps.Length == 0) return FinalAnswerPrefix + answer + ".";
        return StepsPrefix + steps + ". " + FinalAnswerPrefix + answer + ".";
    }
}
