namespace ModernBert.Tasks;

/// <summary>How a task's input records may be encoded into the token ids its model reads.</summary>
[Flags]
public enum InputEncodings
{
    /// <summary>One text per record, encoded as [CLS] text [SEP].</summary>
    Text = 1,

    /// <summary>Pre-tokenized ids per record (as <c>modernbert tokenize</c> writes them), taken as given.</summary>
    TokenIds = 2,
}
