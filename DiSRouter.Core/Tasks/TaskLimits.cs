namespace DiSRouter.Core.Tasks;

/// <summary>
/// Byte budgets every generated item keeps, for byte-level models with a 256-token context: prompt + target at most
/// <see cref="MaxItemBytes"/> leaves 32 tokens for the chat markers (bos, system, user, assistant, eos) and a short
/// scenario tag. The longest targets are multiple-choice questions over facts, whose chain copies the four options
/// (136 bytes at most). Tests hold every family to these.
/// </summary>
public static class TaskLimits
{
    public const int MaxPromptBytes = 150;
    public const int MaxTargetBytes = 140;
    public const int MaxItemBytes = 224;
}
