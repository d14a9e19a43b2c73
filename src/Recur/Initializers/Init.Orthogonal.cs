using Recur.Tensors;

namespace Recur.Initializers;

public static partial class Init
{
    /// <summary>
    /// A (semi-)orthogonal weight, as <c>torch.nn.init.orthogonal_</c>: for an (R, C) matrix, the Q factor of a
    /// random standard normal matrix (with R ≥ C: orthonormal columns, QᵀQ = I; with R &lt; C: orthonormal rows),
    /// times <paramref name="gain"/>. The factorisation is modified Gram-Schmidt in double, whose R has a positive
    /// diagonal, so Q is uniformly distributed (Haar) as with PyTorch's sign-corrected QR.
    /// </summary>
    /// <param name="weight">A rank-2 weight.</param>
    /// <param name="rng">The seeded source of the normal matrix.</param>
    /// <param name="gain">Scale of the result; finite and > 0.</param>
    public static void Orthogonal(Tensor weight, Rng rng, float gain = 1f)
    {
        ArgumentNullException.ThrowIfNull(weight);
        Fans(weight, rng, gain);
        if (weight.Rank != 2)
        {
            throw new ArgumentException($"weight: expected a rank-2 matrix, got shape {weight.ShapeText}.", nameof(weight));
        }

        OrthogonalInto(weight.Span, weight.Dim(0), weight.Dim(1), rng, gain);
    }

    /// <summary>
    /// An orthogonal (H, H) matrix in each of the <paramref name="blocks"/> row blocks of a (blocks·H, H) recurrent
    /// weight: for W_hh of an LSTM (blocks 4, gates i|f|g|o) or a GRU (3, r|z|n), each gate's recurrent matrix is
    /// orthogonal, as Keras' orthogonal recurrent kernel intends.
    /// </summary>
    public static void Orthogonal(Tensor weight, Rng rng, int blocks, float gain = 1f)
    {
        int size = SquareBlock(weight, blocks);
        Fans(weight, rng, gain);
        for (int k = 0; k < blocks; k++)
        {
            OrthogonalInto(weight.Span.Slice(k * size * size, size * size), size, size, rng, gain);
        }
    }

    /// <summary>Fills the row-major (rows, cols) <paramref name="w"/> with gain·Q.</summary>
    private static void OrthogonalInto(Span<float> w, int rows, int cols, Rng rng, float gain)
    {
        // Orthonormalise the n = min(R, C) columns (length m = max(R, C)) of a normal (m, n) matrix a, stored by column.
        int m = Math.Max(rows, cols), n = Math.Min(rows, cols);
        var a = new double[n * m];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = rng.NextGaussian();
        }

        for (int j = 0; j < n; j++)
        {
            var qj = a.AsSpan(j * m, m);
            for (int k = 0; k < j; k++)
            {
                var qk = a.AsSpan(k * m, m);
                double dot = 0;
                for (int i = 0; i < m; i++)
                {
                    dot += qk[i] * qj[i];
                }

                for (int i = 0; i < m; i++)
                {
                    qj[i] -= dot * qk[i];
                }
            }

            double norm = 0;
            for (int i = 0; i < m; i++)
            {
                norm += qj[i] * qj[i];
            }

            norm = Math.Sqrt(norm);
            for (int i = 0; i < m; i++)
            {
                qj[i] /= norm;
            }
        }

        // R ≥ C: w[r, c] = q_c[r] (orthonormal columns); R < C: w = Qᵀ, w[r, c] = q_r[c] (orthonormal rows).
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                w[r * cols + c] = (float)(gain * (rows >= cols ? a[c * m + r] : a[r * m + c]));
            }
        }
    }
}
