using System.CommandLine;

var root = new RootCommand("ModernBERT batch inference: tokenize, embed and classify corpora, on one machine or a fleet of GPU workers.")
{
};
return await root.Parse(args).InvokeAsync();
