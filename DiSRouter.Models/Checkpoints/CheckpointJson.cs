using System.Text.Json;

namespace DiSRouter.Models.Checkpoints;

/// <summary>Reads a small JSON file that sits beside a checkpoint's weights (decision.json, bid.json), one way for all of them.</summary>
internal static class CheckpointJson
{
    /// <summary>
    /// The file deserialised, or null when it is not there. A file that is there but is not valid JSON of that shape, or
    /// is empty, throws a <see cref="CheckpointException"/> naming <paramref name="what"/> ("decision file", "bid file").
    /// </summary>
    public static T? TryRead<T>(string path, JsonSerializerOptions json, string what) where T : class
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        T? read;
        try
        {
            read = JsonSerializer.Deserialize<T>(text, json);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, $"not a valid {what}: " + e.Message, e);
        }
        return read ?? throw new CheckpointException(path, "the file is empty");
    }
}
