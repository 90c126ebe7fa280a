using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Agents.Backends;

/// <summary>
/// What a checkpoint directory looks like on disk: size and last write time of each file a checkpoint is made of, and
/// of its decision thresholds and bid scale when it has them (a calibration or `fit bids` writes them beside unchanged
/// weights: a reload follows).
/// Checkpoint.Save replaces every file by rename, so any new save changes it; equal prints mean nothing to reload.
/// </summary>
internal sealed record CheckpointFingerprint(string Value, bool Complete)
{
    public static readonly string[] Files = ["config.json", Checkpoint.WeightsFileName, "tokenizer.json"];

    /// <summary>Files a checkpoint may have; their absence does not make it incomplete.</summary>
    public static readonly string[] OptionalFiles = [DecisionThresholds.FileName, BidScale.FileName];

    /// <summary>Every file whose change means a reload.</summary>
    public static readonly string[] Watched = [.. Files, .. OptionalFiles];

    public static CheckpointFingerprint Read(string directory)
    {
        var parts = new List<string>(Files.Length);
        var complete = true;
        foreach (var name in Watched)
        {
            var file = new FileInfo(Path.Combine(directory, name));
            if (!file.Exists) { complete &= OptionalFiles.Contains(name); parts.Add(name + ":-"); continue; }
            parts.Add($"{name}:{file.Length}:{file.LastWriteTimeUtc.Ticks}");
        }
        return new CheckpointFingerprint(string.Join('|', parts), complete);
    }
}
