namespace DiSRouter.AppHost.Hosting;

/// <summary>
/// One writer for the interleaved output of every service, each line prefixed with its service's name
/// ("[agent-2] ..."); the prefix is coloured on a terminal only, so redirected output stays plain text.
/// </summary>
internal static class ConsoleOutput
{
    public const string AppHostName = "apphost";

    private static readonly Lock Gate = new();
    private static readonly bool Colour = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
    private static readonly string[] Palette = ["\e[36m", "\e[32m", "\e[33m", "\e[35m", "\e[34m", "\e[91m", "\e[92m", "\e[93m"];
    private static readonly Dictionary<string, string> Colours = [];

    public static void Line(string service, string text)
    {
        lock (Gate)
        {
            if (Colour)
            {
                if (!Colours.TryGetValue(service, out var c)) Colours[service] = c = service == AppHostName ? "\e[1m" : Palette[Colours.Count % Palette.Length];
                Console.Out.WriteLine($"{c}[{service}]\e[0m {text}");
            }
            else
            {
                Console.Out.WriteLine($"[{service}] {text}");
            }
        }
    }

    public static void Info(string text) => Line(AppHostName, text);

    /// <summary>Unprefixed: the one line a script or test waits for.</summary>
    public static void Plain(string text)
    {
        lock (Gate) Console.Out.WriteLine(text);
    }

    public static void Error(string text)
    {
        lock (Gate) Console.Error.WriteLine($"[{AppHostName}] error: {text}");
    }
}
