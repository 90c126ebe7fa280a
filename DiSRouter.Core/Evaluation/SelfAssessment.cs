namespace DiSRouter.Core.Evaluation;

/// <summary>
/// How well an agent knows its own boundary: its answer/reject decision scored against whether its answer is
/// correct. Positive class = "can answer correctly"; predicted positive = it chose to answer. So a true positive
/// answers correctly, a false positive answers wrongly, a false negative rejects what it would have got right.
/// Precision, recall and F1 are 0 when their denominators are (nothing answered, nothing answerable).
/// </summary>
public sealed record SelfAssessment(string Agent, int TruePositives, int FalsePositives, int FalseNegatives, int TrueNegatives)
{
    public int Items => TruePositives + FalsePositives + FalseNegatives + TrueNegatives;

    public double Accuracy => Items == 0 ? 0 : (double)(TruePositives + TrueNegatives) / Items;

    public double Precision => TruePositives + FalsePositives == 0 ? 0 : (double)TruePositives / (TruePositives + FalsePositives);

    public double Recall => TruePositives + FalseNegatives == 0 ? 0 : (double)TruePositives / (TruePositives + FalseNegatives);

    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    /// <summary>The fraction of items the agent chose to answer.</summary>
    public double AnswerRate => Items == 0 ? 0 : (double)(TruePositives + FalsePositives) / Items;

    /// <summary>The fraction of items the agent would answer correctly (its raw capability).</summary>
    public double Capability => Items == 0 ? 0 : (double)(TruePositives + FalseNegatives) / Items;

    public static SelfAssessment Of(AgentResults agent)
    {
        if (agent.Answered.Count != agent.Correct.Count)
            throw new ArgumentException($"Agent '{agent.Name}' has {agent.Answered.Count} decisions and {agent.Correct.Count} grades.", nameof(agent));
        int tp = 0, fp = 0, fn = 0, tn = 0;
        for (var i = 0; i < agent.Count; i++)
        {
            switch (agent.Answered[i], agent.Correct[i])
            {
                case (true, true): tp++; break;
                case (true, false): fp++; break;
                case (false, true): fn++; break;
                default: tn++; break;
            }
        }
        return new SelfAssessment(agent.Name, tp, fp, fn, tn);
    }
}
