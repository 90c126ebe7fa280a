namespace DiSRouter.Training.Jobs;

/// <summary>
/// A job's console: its stage lines prefixed "[job/stage]" on standard output, which the AppHost shows as the job
/// resource's log in the dashboard; errors on standard error.
/// </summary>
internal static class JobConsole
{
    private static readonly Lock Gate = new();

    public static void Line(string source, string text)
    {
        lock (Gate) Console.Out.WriteLine($"[{source}] {text}");
    }

    public static void Info(string text) => Line("job", text);

    public static void Plain(string text)
    {
        lock (Gate) Console.Out.WriteLine(text);
    }

    public static void Error(string text)
    {
        lock (Gate) Console.Error.WriteLine(text);
    }
}
