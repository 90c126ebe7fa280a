using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Agents.Backends;

/// <summary>
/// What a checkpoint directory looks like on disk: size and last write time of each file a checkpoint is made of.
/// Checkpoint.Save replaces every file by rename, so any new save changes it; equal prints mean nothing to reload.
/// </summary>
internal sealed record CheckpointFingerprint(string Value, bool Complete)
{
    public static readonly string[] Files = ["config.json", Checkpoint.WeightsFileName, "tokenizer.json"];

    public static CheckpointFingerprint Read(string directory)
    {
        var parts = new List<string>(Files.Length);
        var complete = true;
        foreach (var name in Files)
        {
            var file = new FileInfo(Path.Combine(directory, name));
            if (!file.Exists) { complete = false; parts.Add(name + ":-"); continue; }
            parts.Add($"{name}:{file.Length}:{file.LastWriteTimeUtc.Ticks}");
        }
        return new CheckpointFingerprint(string.Join('|', parts), complete);
    }
}
