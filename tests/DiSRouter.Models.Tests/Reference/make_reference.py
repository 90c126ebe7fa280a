#!/usr/bin/python3
"""Independent PyTorch reference for the engine's Qwen2-layout decoder (parity test data).

Regenerate (needs Debian's python3-torch; CI never runs this, it only reads the committed files):
    /usr/bin/python3 tests/DiSRouter.Models.Tests/Reference/make_reference.py tests/DiSRouter.Models.Tests/TestData/parity

Per case it writes <case>.json (config, token sequences, loss masks, loss, tensor index) and <case>.bin
(raw little-endian float32, offsets in floats). The model is computed in float64 from float32-rounded weights,
so the committed numbers are the exact answer the float32 engine must approach.
Architecture (Hugging Face Qwen2): pre-norm RMSNorm, q/k/v projections (optional bias), rotary embedding with
the half-split rotate_half, grouped-query causal attention with a key-padding mask, SwiGLU MLP, final norm, head.
"""
import json, math, os, sys
import torch

torch.set_default_dtype(torch.float64)

CASES = {
    # 4 query heads share 2 kv heads, q/k/v biases, untied head: the Qwen2.5 7B layout in miniature.
    "gqa_bias_untied": dict(vocab_size=23, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                            num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=32,
                            rope_theta=10000.0, rms_norm_eps=1e-6, tie_word_embeddings=False, attention_bias=True),
    # Tied head, no biases, plain multi-head: the Qwen2.5 0.5B-3B head layout.
    "mha_tied": dict(vocab_size=17, hidden_size=24, intermediate_size=64, num_hidden_layers=2,
                     num_attention_heads=3, num_key_value_heads=3, max_position_embeddings=32,
                     rope_theta=1000000.0, rms_norm_eps=1e-5, tie_word_embeddings=True, attention_bias=False),
}


# The optimizer of the trainer's parity check: PyTorch's AdamW in two parameter groups, clip_grad_norm_ before each step.
ADAMW = dict(lr=1e-2, beta1=0.9, beta2=0.95, eps=1e-8, weight_decay=0.1, grad_clip=1.0)


def param_shapes(c):
    C, I, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    D = C // c["num_attention_heads"]
    q, kv = c["num_attention_heads"] * D, c["num_key_value_heads"] * D
    shapes = {"model.embed_tokens.weight": (V, C)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        shapes[p + "input_layernorm.weight"] = (C,)
        shapes[p + "self_attn.q_proj.weight"] = (q, C)
        if c["attention_bias"]: shapes[p + "self_attn.q_proj.bias"] = (q,)
        shapes[p + "self_attn.k_proj.weight"] = (kv, C)
        if c["attention_bias"]: shapes[p + "self_attn.k_proj.bias"] = (kv,)
        shapes[p + "self_attn.v_proj.weight"] = (kv, C)
        if c["attention_bias"]: shapes[p + "self_attn.v_proj.bias"] = (kv,)
        shapes[p + "self_attn.o_proj.weight"] = (C, q)
        shapes[p + "post_attention_layernorm.weight"] = (C,)
        shapes[p + "mlp.gate_proj.weight"] = (I, C)
        shapes[p + "mlp.up_proj.weight"] = (I, C)
        shapes[p + "mlp.down_proj.weight"] = (C, I)
    shapes["model.norm.weight"] = (C,)
    if not c["tie_word_embeddings"]: shapes["lm_head.weight"] = (V, C)
    return shapes


def init_weights(c, gen):
    w = {}
    for name, shape in param_shapes(c).items():
        if name.endswith("norm.weight"): t = 1 + 0.1 * torch.randn(shape, generator=gen)
        elif name.endswith(".bias"): t = 0.1 * torch.randn(shape, generator=gen)
        else: t = 0.2 * torch.randn(shape, generator=gen)
        # float32-rounded, so the engine loads exactly these values
        w[name] = t.float().double().requires_grad_(True)
    return w


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def forward(c, w, inputs, lengths):
    B, T = inputs.shape
    H, Hkv = c["num_attention_heads"], c["num_key_value_heads"]
    C = c["hidden_size"]; D = C // H
    inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, D, 2) / D))
    freqs = torch.outer(torch.arange(T).double(), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()                                                  # (T, D)
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    keys_real = torch.arange(T)[None, :] < lengths[:, None]                         # (B, T)
    allowed = causal[None, None] & keys_real[:, None, None, :]                      # (B, 1, T, T)

    x = w["model.embed_tokens.weight"][inputs]                                       # (B, T, C)
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], c["rms_norm_eps"])
        def proj(n):
            y = h @ w[p + f"self_attn.{n}_proj.weight"].T
            return y + w[p + f"self_attn.{n}_proj.bias"] if c["attention_bias"] else y
        q = proj("q").view(B, T, H, D).transpose(1, 2)                               # (B, H, T, D)
        k = proj("k").view(B, T, Hkv, D).transpose(1, 2)                             # (B, Hkv, T, D)
        v = proj("v").view(B, T, Hkv, D).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // Hkv, dim=1)                                     # repeat_kv
        v = v.repeat_interleave(H // Hkv, dim=1)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(D)
        att = att.masked_fill(~allowed, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, H * D)
        x = x + y @ w[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], c["rms_norm_eps"])
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], c["rms_norm_eps"])
    head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T                                                                # (B, T, V)


def make_case(name, c, seed, out_dir):
    gen = torch.Generator().manual_seed(seed)
    w = init_weights(c, gen)
    V = c["vocab_size"]
    lengths = [12, 7, 10]                                                            # tokens per sequence
    seqs = [torch.randint(0, V, (n,), generator=gen).tolist() for n in lengths]
    masks = [None, [0, 0, 0, 1, 1, 1, 1], [0, 0, 1, 0.5, 1, 1, 0, 2, 1, 1]]        # mask[t] weights the prediction of token t

    B, T = len(seqs), max(lengths) - 1
    inputs = torch.zeros(B, T, dtype=torch.long)
    targets = torch.full((B, T), -1, dtype=torch.long)
    weights = torch.zeros(B, T)
    for b, s in enumerate(seqs):
        n = len(s) - 1
        inputs[b, :n] = torch.tensor(s[:-1])
        targets[b, :n] = torch.tensor(s[1:])
        weights[b, :n] = torch.tensor(masks[b][1:] if masks[b] is not None else [1.0] * n)
    real = torch.tensor([len(s) - 1 for s in seqs])

    def masked_loss():
        logits = forward(c, w, inputs, real)                                         # (B, T, V)
        logp = logits.log_softmax(-1).gather(-1, targets.clamp(min=0)[..., None])[..., 0] * (targets >= 0)
        return logits, logp, -(weights * logp).sum() / weights.sum()                # masked mean cross-entropy

    logits, logp, loss = masked_loss()
    loss.backward()
    grads = {n: t.grad.clone() for n, t in w.items()}
    initial = {n: t.detach().clone() for n, t in w.items()}

    # Two AdamW steps as the trainer takes them: clip to global norm 1, decay matrices only.
    opt = torch.optim.AdamW([{"params": [t for t in w.values() if t.dim() >= 2], "weight_decay": ADAMW["weight_decay"]},
                             {"params": [t for t in w.values() if t.dim() < 2], "weight_decay": 0.0}],
                            lr=ADAMW["lr"], betas=(ADAMW["beta1"], ADAMW["beta2"]), eps=ADAMW["eps"])
    norms = []
    for step in range(2):
        if step > 0:
            opt.zero_grad()
            masked_loss()[2].backward()
        norms.append(torch.nn.utils.clip_grad_norm_(list(w.values()), ADAMW["grad_clip"]).item())
        opt.step()

    tensors, blob = {}, []
    def put(key, t):
        t = t.detach().float().contiguous()
        tensors[key] = {"offset": sum(x.numel() for x in blob), "shape": list(t.shape)}
        blob.append(t.reshape(-1))
    for n, t in initial.items(): put("weight/" + n, t)
    for n, t in grads.items(): put("grad/" + n, t)
    for n, t in w.items(): put("after_two_steps/" + n, t)
    put("logits", logits.reshape(B * T, V))
    put("logprobs", logp.reshape(B * T))
    data = torch.cat(blob).numpy().astype("<f4")
    meta = {"case": name, "generator": "tests/DiSRouter.Models.Tests/Reference/make_reference.py", "torch": torch.__version__,
            "seed": seed, "config": c, "sequences": seqs, "loss_masks": masks, "batch": B, "seq_len": T,
            "loss": loss.item(), "adamw": ADAMW, "grad_norms": norms, "tensors": tensors, "total_floats": int(data.size)}
    with open(os.path.join(out_dir, name + ".bin"), "wb") as f: f.write(data.tobytes())
    with open(os.path.join(out_dir, name + ".json"), "w") as f: json.dump(meta, f, indent=1)
    print(name, "loss", loss.item(), "floats", data.size)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    for i, (name, cfg) in enumerate(CASES.items()):
        make_case(name, cfg, 1234 + i, out)
