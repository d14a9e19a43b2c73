namespace Recur.Cli.Text;

/// <summary>
/// Count-based baselines fitted on the training streams and scored on exactly the validation positions the
/// network is scored on, in nats per token. Unigram: add-one (Laplace) smoothed frequencies. Bigram: interpolated
/// with the unigram by Witten-Bell, λ(v) = c(v) / (c(v) + distinct followers of v), which needs no tuning.
/// </summary>
internal sealed class NGramBaselines
{
    private readonly int[] _unigram;               // c(w) over training targets
    private readonly int[] _context, _followers;   // c(v) as a context, distinct w after v
    private readonly Dictionary<(int, int), int> _bigram = [];
    private readonly long _total;

    public NGramBaselines(int vocabulary, TokenStreams train)
    {
        _unigram = new int[vocabulary];
        _context = new int[vocabulary];
        _followers = new int[vocabulary];
        foreach (var (v, w) in train.Pairs())
        {
            _unigram[w]++;
            _context[v]++;
            int seen = _bigram.GetValueOrDefault((v, w));
            if (seen == 0)
            {
                _followers[v]++;
            }

            _bigram[(v, w)] = seen + 1;
        }

        _total = train.Count;
    }

    public double Unigram(TokenStreams data) => data.Pairs().Average(p => -Math.Log(UnigramProbability(p.Target)));

    public double Bigram(TokenStreams data) => data.Pairs().Average(p =>
    {
        var (v, w) = p;
        double unigram = UnigramProbability(w);
        if (_context[v] == 0)
        {
            return -Math.Log(unigram);
        }

        double lambda = (double)_context[v] / (_context[v] + _followers[v]);
        return -Math.Log(lambda * _bigram.GetValueOrDefault((v, w)) / _context[v] + (1 - lambda) * unigram);
    });

    private double UnigramProbability(int w) => (_unigram[w] + 1.0) / (_total + _unigram.Length);
}
