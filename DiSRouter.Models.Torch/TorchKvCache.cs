using static TorchSharp.torch;

namespace DiSRouter.Models.Torch;

/// <summary>
/// Keys and values of every layer for B rows of up to MaxT positions, (B, Hkv, MaxT, D) each, in the compute type.
/// A forward at pos0 writes its T new positions and reads back 0 … pos0+T−1.
/// </summary>
public sealed class TorchKvCache : IDisposable
{
    private readonly Tensor[] _k, _v;

    public TorchKvCache(TorchTransformer model, long rows, long maxT)
    {
        var c = model.Config;
        _k = new Tensor[c.NumHiddenLayers];
        _v = new Tensor[c.NumHiddenLayers];
        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            _k[l] = zeros([rows, c.NumKeyValueHeads, maxT, c.HeadDim], model.ComputeType, model.Device);
            _v[l] = zeros([rows, c.NumKeyValueHeads, maxT, c.HeadDim], model.ComputeType, model.Device);
            _k[l].DetachFromDisposeScope();
            _v[l].DetachFromDisposeScope();
        }
        Rows = rows;
        MaxT = maxT;
    }

    public long Rows { get; }
    public long MaxT { get; }

    // k, v (B, Hkv, T, D) into positions pos0 … pos0+T−1; returns the cached (B, Hkv, pos0+T, D)
    internal (Tensor K, Tensor V) Append(int layer, Tensor k, Tensor v, int pos0)
    {
        long b = k.shape[0], t = k.shape[2];
        if (pos0 + t > MaxT) throw new ArgumentException($"The KV cache holds {MaxT} positions; {pos0 + t} were asked for.");
        using (no_grad())
        {
            _k[layer].narrow(0, 0, b).narrow(2, pos0, t).copy_(k);
            _v[layer].narrow(0, 0, b).narrow(2, pos0, t).copy_(v);
        }
        return (_k[layer].narrow(0, 0, b).narrow(2, 0, pos0 + t), _v[layer].narrow(0, 0, b).narrow(2, 0, pos0 + t));
    }

    /// <summary>Copies row 0's first <paramref name="positions"/> into rows 1 … B−1 (a prompt shared by N samples).</summary>
    public void BroadcastRow0(int positions)
    {
        using var _ = no_grad();
        for (int l = 0; l < _k.Length; l++)
        {
            _k[l].narrow(2, 0, positions).copy_(_k[l].narrow(0, 0, 1).narrow(2, 0, positions).expand(Rows, -1, -1, -1));
            _v[l].narrow(2, 0, positions).copy_(_v[l].narrow(0, 0, 1).narrow(2, 0, positions).expand(Rows, -1, -1, -1));
        }
    }

    /// <summary>Keeps only the rows listed, in that order, at the front (finished samples leave the batch).</summary>
    public void Compact(long[] keep, int positions)
    {
        using var _ = no_grad();
        using var index = tensor(keep, device: _k[0].device);
        for (int l = 0; l < _k.Length; l++)
        {
            using var k = _k[l].narrow(2, 0, positions).index_select(0, index);
            using var v = _v[l].narrow(2, 0, positions).index_select(0, index);
            _k[l].narrow(0, 0, keep.Length).narrow(2, 0, positions).copy_(k);
            _v[l].narrow(0, 0, keep.Length).narrow(2, 0, positions).copy_(v);
        }
    }

    public void Dispose()
    {
        foreach (var t in _k) t.Dispose();
        foreach (var t in _v) t.Dispose();
    }
}
