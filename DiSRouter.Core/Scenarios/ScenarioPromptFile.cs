using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiSRouter.Core.Scenarios;

/// <summary>
/// The scenario instruction a self-aware checkpoint was trained with, recorded beside its weights
/// (<c>scenario_prompt.json</c>: <c>{"style": "full"}</c>) so that whoever prompts it (the serving agent, the evaluation
/// report, calibration, the next training stage) words the scenario as training did. WHY a file of its own and not a
/// field of decision.json: a checkpoint that decides greedily (no calibration) has no decision.json, and the style is
/// fixed when the SFT data is written, long before calibration. A folder without the file is compact (every checkpoint
/// trained before the style became a choice).
/// </summary>
public static class ScenarioPromptFile
{
    public const string FileName = "scenario_prompt.json";

    /// <summary>The style of a folder without the file.</summary>
    public const ScenarioPromptStyle Default = ScenarioPromptStyle.Compact;

    /// <summary>The recorded style, or <see cref="Default"/> when the folder has no file. A file that is there but unreadable throws.</summary>
    public static ScenarioPromptStyle Read(string checkpointDirectory)
    {
        var path = Path.Combine(checkpointDirectory, FileName);
        if (!File.Exists(path)) return Default;
        try
        {
            if (JsonNode.Parse(File.ReadAllText(path)) is JsonObject o && o["style"] is JsonValue v && v.TryGetValue(out string? s) && TryParse(s, out var style))
                return style;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
        throw new InvalidDataException($"{path} must read {{\"style\": \"compact\"}} or {{\"style\": \"full\"}}.");
    }

    /// <summary>Writes the file; the compact style is written too, so a folder says what it holds.</summary>
    public static void Write(string checkpointDirectory, ScenarioPromptStyle style)
    {
        var path = Path.Combine(checkpointDirectory, FileName);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(new JsonObject { ["style"] = Name(style) }) + "\n");
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>"compact" or "full", as options and the file spell it.</summary>
    public static string Name(ScenarioPromptStyle style) => style switch
    {
        ScenarioPromptStyle.Compact => "compact",
        ScenarioPromptStyle.Full => "full",
        _ => throw new ArgumentOutOfRangeException(nameof(style), style, "Unknown scenario prompt style."),
    };

    public static bool TryParse(string? text, out ScenarioPromptStyle style)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "compact": style = ScenarioPromptStyle.Compact; return true;
            case "full": style = ScenarioPromptStyle.Full; return true;
            default: style = Default; return false;
        }
    }
}
