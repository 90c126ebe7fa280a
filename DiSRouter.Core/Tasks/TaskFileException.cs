namespace DiSRouter.Core.Tasks;

/// <summary>A task file that cannot be read: the message names the file and the 1-based line.</summary>
public sealed class TaskFileException(string path, int line, string reason)
    : Exception($"{path}:{line}: {reason}")
{
    public string FilePath { get; } = path;

    /// <summary>1-based; 0 when the problem is the file as a whole.</summary>
    public int Line { get; } = line;

    public string Reason { get; } = reason;
}
