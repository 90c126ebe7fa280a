namespace DiSRouter.Core.Tasks;

public enum TaskSplit
{
    Train,
    Validation,
    Test,
}

/// <summary>
/// The fixed split of the question space: a stable hash of an item's split key puts it in train (80 %),
/// validation (10 %) or test (10 %). A question therefore belongs to one split whatever seed generated it.
/// </summary>
public static class TaskSplits
{
    public const int TrainPercent = 80;
    public const int ValidationPercent = 10;

    public static TaskSplit Of(string splitKey)
    {
        var bucket = (int)(StableHash.Of("split", splitKey) % 100);
        return bucket < TrainPercent ? TaskSplit.Train
            : bucket < TrainPercent + ValidationPercent ? TaskSplit.Validation
            : TaskSplit.Test;
    }

    public static string Name(TaskSplit split) => split switch
    {
        TaskSplit.Train => "train",
        TaskSplit.Validation => "validation",
        TaskSplit.Test => "test",
        _ => throw new ArgumentOutOfRangeException(nameof(split)),
    };

    /// <summary>Parses "train", "validation" (or "val", "dev"), "test".</summary>
    public static bool TryParse(string? text, out TaskSplit split)
    {
        split = TaskSplit.Test;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "train": split = TaskSplit.Train; return true;
            case "validation" or "val" or "valid" or "dev": split = TaskSplit.Validation; return true;
            case "test": split = TaskSplit.Test; return true;
            default: return false;
        }
    }
}
