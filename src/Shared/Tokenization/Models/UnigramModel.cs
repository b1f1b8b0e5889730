using System.Text;

namespace ModernBert.Tokenization.Models;

/// <summary>
/// Unigram exactly as Hugging Face <c>tokenizers</c> 0.23 does it (tokenizers/src/models/unigram/model.rs:
/// encode_optimized, the Viterbi search it uses, and tokenize): the best-scoring split of the piece into vocabulary
/// entries, where a character with no single-character entry may be the unknown token at (lowest score - 10);
/// adjacent unknown characters are fused into one token (fuse_unk is always on), which byte_fallback replaces with
/// the <c>&lt;0xNN&gt;</c> tokens of its UTF-8 bytes, each spanning the whole fused run.
/// </summary>
/// <remarks>
/// Written by hand rather than with Microsoft.ML.Tokenizers' <c>SentencePieceTokenizer</c> (3.0.0): it encodes whole
/// texts with SentencePiece's own normalization and dummy prefix, not one pre-tokenized piece, and follows
/// SentencePiece, not <c>tokenizers</c>, on ties, unknown runs and byte fallback.
/// The search runs over UTF-16 code units; it finds the same entries as Hugging Face's byte trie, since an entry
/// matches the text's bytes exactly when it matches its characters. Ties keep the earliest start, as there.
/// </remarks>
internal sealed class UnigramModel : CachingTokenizationModel
{
    private const double UnknownPenalty = 10.0;

    [ThreadStatic]
    private static Lattice? t_lattice;

    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _idsBySpan;
    private readonly double[] _scores;
    private readonly int _unknownId;
    private readonly double _unknownScore;
    private readonly int[]? _byteIds;
    private readonly Dictionary<long, int> _trieChildren = new(MixedKeyComparer.Instance);
    private readonly List<int> _trieIds = [-1];

    /// <param name="vocabulary">model.vocab: token and score, the id being the index (a token listed twice keeps its last id).</param>
    /// <param name="unknownId">model.unk_id.</param>
    /// <param name="byteFallback">model.byte_fallback.</param>
    public UnigramModel(IReadOnlyList<(string Token, double Score)> vocabulary, int? unknownId, bool byteFallback)
    {
        _ids = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        _scores = new double[vocabulary.Count];
        double minScore = double.PositiveInfinity;
        for (int id = 0; id < vocabulary.Count; id++)
        {
            (string token, double score) = vocabulary[id];
            _ids[token] = id;
            _scores[id] = score;
            minScore = Math.Min(minScore, score);
        }
        foreach ((string token, int id) in _ids)
            AddToTrie(token, id);
        _idsBySpan = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        _unknownId = unknownId ?? -1;
        _unknownScore = minScore - UnknownPenalty;
        if (byteFallback)
        {
            _byteIds = new int[256];
            for (int b = 0; b < 256; b++)
                _byteIds[b] = _ids.TryGetValue($"<0x{b:X2}>", out int id) ? id : -1;
        }
        VocabularySize = vocabulary.Count;
    }

    public override int VocabularySize { get; }

    public override bool TryGetId(string token, out int id) => _ids.TryGetValue(token, out id);

    /// <exception cref="ArgumentException">A character has no entry and the model has no unk_id.</exception>
    protected override void TokenizeUncached(ReadOnlySpan<char> piece, List<ModelToken> tokens)
    {
        Lattice lattice = t_lattice ??= new Lattice();
        lattice.Reset(piece.Length);
        for (int start = 0; start < piece.Length;)
        {
            double scoreHere = lattice.Score[start];
            int length = PieceText.CharLength(piece, start);
            bool hasSingleCharacter = false;
            int node = 0;
            for (int end = start; end < piece.Length; end++)
            {
                if (!_trieChildren.TryGetValue(TrieKey(node, piece[end]), out node))
                    break;
                int id = _trieIds[node];
                if (id < 0)
                    continue;
                lattice.Offer(start, end + 1, id, _scores[id] + scoreHere);
                hasSingleCharacter |= end + 1 - start == length;
            }
            if (!hasSingleCharacter)
            {
                if (_unknownId < 0)
                    throw new ArgumentException("The Unigram model has no unk_id, and the text holds a character it has no token for.");
                lattice.Offer(start, start + length, _unknownId, _unknownScore + scoreHere);
            }
            start += length;
        }
        EmitBestPath(piece, lattice, tokens);
    }

    /// <summary>The best path from the end back, unknown runs fused, then each piece's id (tokenize).</summary>
    private void EmitBestPath(ReadOnlySpan<char> piece, Lattice lattice, List<ModelToken> tokens)
    {
        int first = tokens.Count;
        int end = piece.Length;
        int unknownEnd = -1; // the end of the unknown run being fused, walking backwards; -1 when none
        while (end > 0)
        {
            int start = lattice.Start[end];
            if (lattice.Id[end] == _unknownId)
            {
                if (unknownEnd < 0)
                    unknownEnd = end;
            }
            else
            {
                if (unknownEnd >= 0)
                    AddUnknownRun(piece, end, unknownEnd, tokens);
                unknownEnd = -1;
                tokens.Add(new ModelToken(lattice.Id[end], start, end));
            }
            end = start;
        }
        if (unknownEnd >= 0)
            AddUnknownRun(piece, 0, unknownEnd, tokens);
        tokens.Reverse(first, tokens.Count - first);
    }

    /// <summary>Adds a fused unknown run (in reverse order, as the path is walked backwards).</summary>
    private void AddUnknownRun(ReadOnlySpan<char> piece, int start, int end, List<ModelToken> tokens)
    {
        ReadOnlySpan<char> run = piece[start..end];
        if (_idsBySpan.TryGetValue(run, out int id))
        {
            tokens.Add(new ModelToken(id, start, end));
            return;
        }
        if (_byteIds is not null)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(run.ToArray());
            if (Array.TrueForAll(bytes, b => _byteIds[b] >= 0))
            {
                for (int i = bytes.Length - 1; i >= 0; i--)
                    tokens.Add(new ModelToken(_byteIds[bytes[i]], start, end));
                return;
            }
        }
        tokens.Add(new ModelToken(_unknownId, start, end));
    }

    private void AddToTrie(string token, int id)
    {
        int node = 0;
        foreach (char c in token)
        {
            long key = TrieKey(node, c);
            if (!_trieChildren.TryGetValue(key, out int child))
            {
                child = _trieIds.Count;
                _trieIds.Add(-1);
                _trieChildren.Add(key, child);
            }
            node = child;
        }
        if (node != 0)
            _trieIds[node] = id;
    }

    private static long TrieKey(int node, char c) => ((long)node << 16) | c;

    /// <summary>encode_optimized's best_path_ends_at: per end position, the best path's score, last token and its start.</summary>
    private sealed class Lattice
    {
        public double[] Score { get; private set; } = new double[65];

        public int[] Start { get; private set; } = new int[65];

        public int[] Id { get; private set; } = new int[65];

        public void Reset(int length)
        {
            if (Score.Length < length + 1)
            {
                Score = new double[length + 1];
                Start = new int[length + 1];
                Id = new int[length + 1];
            }
            Score.AsSpan(0, length + 1).Clear();
            Start.AsSpan(0, length + 1).Fill(-1);
        }

        public void Offer(int start, int end, int id, double score)
        {
            if (Start[end] < 0 || score > Score[end])
            {
                Score[end] = score;
                Start[end] = start;
                Id[end] = id;
            }
        }
    }
}
