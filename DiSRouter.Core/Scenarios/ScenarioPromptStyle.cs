namespace DiSRouter.Core.Scenarios;

/// <summary>How the scenario instruction is worded for a model: it must match what the model was trained with.</summary>
public enum ScenarioPromptStyle
{
    /// <summary>The full instructions of the three named scenarios (and a stated threshold for a custom α): general models.</summary>
    Full,

    /// <summary>"Cost weight 0.50.": small checkpoints trained by this project's self-awareness pipeline.</summary>
    Compact,
}
