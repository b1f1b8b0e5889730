namespace ModernBert.Tests.Common;

/// <summary>Texts in many scripts and with the characters tokenizers trip on, for exactness tests.</summary>
public static class MultilingualTexts
{
    public static IReadOnlyList<string> All { get; } =
    [
        "Hello, world! This is a test.",
        "Crème brûlée, façade, naïve, Ångström, Øresund, Łódź, Ñandú",
        "cafe\u0301 and cafe\u0301\u0327 and a\u0308\u0301 spelled with combining marks",
        "Съешь же ещё этих мягких французских булок, да выпей чаю.",
        "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία. Ἀρχὴ ἥμισυ παντός.",
        "نص حكيم له سر قاطع وذو شأن عظيم مكتوب على ثوب أخضر ومغلف بجلد أزرق",
        "דג סקרן שט בים מאוכזב ולפתע מצא חברה",
        "ऋषियों को सताने वाले दुष्ट राक्षसों के राजा रावण का सर्वनाश करने वाले",
        "เป็นมนุษย์สุดประเสริฐเลิศคุณค่า กว่าบรรดาฝูงสัตว์เดรัจฉาน",
        "我能吞下玻璃而不伤身体。日本語のテキストも、ひらがなとカタカナ。",
        "키스의 고유조건은 입술끼리 만나야 하고 특별한 기술은 필요치 않다. 한글 \u1112\u1161\u11AB",
        "Family: 👨‍👩‍👧‍👦, thumbs: 👍🏽👍🏿, flag: 🇺🇦, robot 🤖!",
        "Ｆｕｌｌ－ｗｉｄｔｈ　ｆｏｒｍｓ：ＡＢＣ１２３！ and ﬁ ligature, ½, ℌ, ①",
        "tab\tnew\nline\r\nnull\u0000bell\u0007 zero\u200Bwidth\u200Cjoiner\u200Dnbsp\u00A0soft\u00ADhyphen\uFEFFbom",
        "   leading and trailing spaces   ",
        "  multiple   spaces\t\tand\u3000ideographic space  ",
        "Supercalifragilisticexpialidocious" + string.Concat(Enumerable.Repeat("pneumonoultramicroscopicsilicovolcanoconiosis", 6)),
        "3.14159265358979323846264338327950288419716939937510 and 1,234,567,890 and 0x1F600 and 2026-12-05T16:25:17Z",
        "Mixed: ABCdef123 ÀÉÎ õü ǅ ǈ İstanbul ΣΑΣ ß ẞ",
        "don't won't I'm we're they've she'll he'd it's",
        "<html><body class=\"x\">code: if (a != b) { return a && b || c; }</body></html>",
        "",
        " ",
        "a",
        "é",
        "e\u0301",
        "\u0301 leading combining mark",
        "🤖",
        "ᄀᄀᄀ각ᆨᆨ and ᆨ",
        "Tiếng Việt có dấu: Nguyễn, Đặng, Hồ Chí Minh",
        "ქართული ენა, Հայերեն, አማርኛ, ᠮᠣᠩᠭᠣᠯ, ꦗꦮ, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝐁𝐨𝐥𝐝",
        // Letters and digits beyond the BMP next to others, punctuation and contractions: regexes match them by code point.
        "𠮷野家's 𝐀's 𝐁𝐨𝐥𝐝, 𝟏𝟐𝟑4 x𝐀y 𐐀𐐨𐐸 DESERET 𐐔𐐯𐑅𐐨𐑉𐐯𐐻 don't𝐀 𝑥=𝟐, 𐌰𐌱𐌲-gothic 🤖𝐀",
    ];
}
