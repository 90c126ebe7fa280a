using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace DiSRouter.Models.Checkpoints;

/// <summary>
/// A short hash of a model's weights as loaded (names and float values), whatever file or dtype they came from: what
/// files made for one set of weights (samples, decision thresholds) record, so that they are never applied to another.
/// </summary>
public static class WeightsFingerprint
{
    public static string Of(TransformerModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var hasher = new Hasher();
        foreach (var p in model.Parameters) hasher.Add(p.Name, p.Data);
        return hasher.Finish();
    }

    /// <summary>
    /// The same hash fed one tensor at a time, in <see cref="TransformerModel.Parameters"/> order, by a loader that never
    /// holds the whole model as float32 (the TorchSharp engine reading a checkpoint straight onto its device).
    /// </summary>
    public sealed class Hasher : IDisposable
    {
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public void Add(string name, ReadOnlySpan<float> values)
        {
            Begin(name);
            Append(values);
        }

        /// <summary>Starts a tensor whose values follow in chunks (<see cref="Append"/>): the same hash as one <see cref="Add"/>.</summary>
        public void Begin(string name) => _sha.AppendData(Encoding.UTF8.GetBytes(name));

        public void Append(ReadOnlySpan<float> values) => _sha.AppendData(MemoryMarshal.AsBytes(values));

        public string Finish() => Convert.ToHexStringLower(_sha.GetHashAndReset())[..16];

        public void Dispose() => _sha.Dispose();
    }
}
