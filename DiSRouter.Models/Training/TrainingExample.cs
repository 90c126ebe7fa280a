namespace DiSRouter.Models.Training;

/// <summary>
/// One training sequence. <paramref name="LossMask"/>[t] weights the prediction OF <paramref name="Tokens"/>[t]
/// (t ≥ 1; entry 0 is ignored) — 1 for answer tokens and 0 for the prompt in SFT; null trains on every target.
/// </summary>
public sealed record TrainingExample(int[] Tokens, float[]? LossMask = null);
