"""The drift report's look: one inline style sheet and the colours the plots share with it.

Severity reads in four steps (none, low, medium, high) of a colour scale that stays apart in
greyscale too, and every step is also written out, so a printout or a colour-blind reader loses
nothing. Below 700 px the table keeps the feature, its verdict and how much it changed; each
feature's statistics stay in its section.
"""

BASELINE_COLOUR = "#adb5bd"
GRID_COLOUR = "#e9ecef"
# per severity (ok, low, medium, high): the bars of this window, the badge's background
BAR_COLOURS = ("#1c7ed6", "#f08c00", "#e8590c", "#c92a2a")
BADGE_COLOURS = ("#d3f9d8", "#fff3bf", "#ffd8a8", "#ffc9c9")
TEXT_COLOURS = ("#2b8a3e", "#7a5200", "#9c3a06", "#a51d1d")


def _severity_rules() -> str:
    rules = []
    for level, (bar, badge, text) in enumerate(
        zip(BAR_COLOURS, BADGE_COLOURS, TEXT_COLOURS, strict=True)
    ):
        rules.append(
            f".sev-{level} .badge,.banner.sev-{level}{{background:{badge};color:{text}}}"
            f".banner.sev-{level},section.sev-{level}{{border-color:{bar}}}"
            f"tr.sev-{level} td.name{{box-shadow:inset 5px 0 {bar}}}"
        )
    return "".join(rules)


STYLE = """
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#212529;
 margin:0 auto;max-width:1400px;padding:.8rem 1rem 2rem}
h1{font-size:1.3rem;margin:.3rem 0 .5rem;overflow-wrap:anywhere}
h2{font-size:1.1rem;margin:1.6rem 0 .6rem}
h3{font-size:1.05rem;margin:0 0 .3rem;overflow-wrap:anywhere}
.banner{font-size:1.08rem;font-weight:600;padding:.55rem .8rem;border-left:6px solid;
 border-radius:4px;margin:.4rem 0 1rem;overflow-wrap:anywhere}
.banner.not-judged{background:#e9ecef;border-color:#868e96;color:#343a40}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0 0 1rem}
.facts dt{font-weight:600;color:#495057}
.facts dd{margin:0;overflow-wrap:anywhere}
.skipped{color:#9c3a06}
.table-wrap{overflow-x:auto;margin:0 0 .4rem}
table{border-collapse:collapse;width:100%}
th,td{padding:.35rem .5rem;border-bottom:1px solid #dee2e6;text-align:right;vertical-align:top;
 white-space:nowrap;font-variant-numeric:tabular-nums}
th{font-size:.82rem;color:#495057;background:#f8f9fa;font-weight:600}
th.name,td.name,th.verdict,td.verdict,th.how,td.how{text-align:left}
td.name{padding-left:.8rem}
td.how{white-space:normal;min-width:13rem}
td.over{font-weight:700;color:#a51d1d}
.badge{display:inline-block;padding:0 .45rem;border-radius:999px;font-size:.82rem;font-weight:700;
 margin-right:.3rem}
.muted,.note,.caption{color:#495057;font-size:.88rem}
section.feature{border-left:6px solid;padding:.1rem 0 .1rem .9rem;margin:0 0 1.8rem}
.how-much{font-size:1.05rem;font-weight:600;margin:.2rem 0}
.stats,.summary{margin:.2rem 0;font-size:.9rem}
.stats span{white-space:nowrap;margin-right:.9rem}
.legend{margin:.4rem 0 .2rem;font-size:.85rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem -.1rem 0}
.legend span{margin-right:1rem;white-space:nowrap}
.plot svg{display:block;max-width:100%;height:auto}
svg text{font-family:system-ui,"DejaVu Sans",sans-serif;fill:#343a40;stroke:none}
svg text.value{font-weight:700;fill:#212529}
svg > line{stroke:#868e96}
.rows{display:grid;grid-template-columns:minmax(3rem,max-content) minmax(4rem,1fr) max-content;
 gap:.1rem .6rem;align-items:center;max-width:600px;font-size:.88rem;margin:.2rem 0}
section.drifted .rows{max-width:720px;font-size:.95rem}
.row{display:contents}
.row .label{text-align:right;overflow-wrap:break-word;max-width:12rem}
.rows.narrow .label{overflow-wrap:normal}
.row.new .label{font-weight:700}
.row.others .label,.row.missing .label{font-style:italic}
.bars{height:1.45rem;display:flex;flex-direction:column;justify-content:center;gap:2px;
 background-image:linear-gradient(to right,#dee2e6 1px,transparent 1px)}
.bars i{display:block;height:.5rem;min-width:0}
.value{font-weight:600;white-space:nowrap;font-variant-numeric:tabular-nums}
.axis .ticks{position:relative;height:1.2rem}
.axis .ticks span{position:absolute;transform:translateX(-50%);font-size:.75rem;color:#495057;
 white-space:nowrap}
.rows.narrow{display:none}
details.healthy>summary{cursor:pointer;font-weight:600;margin:.3rem 0 .8rem}
details.feature{border-left:6px solid #d3f9d8;padding:.1rem 0 .1rem .9rem;margin:0 0 .7rem}
details.feature>summary{cursor:pointer;overflow-wrap:anywhere}
@media screen and (max-width:700px){
 .plot svg.wide{display:none}
 .rows.narrow{display:grid}
 section.drifted .rows{font-size:.85rem}
 .axis .ticks .mid{display:none}
 body{font-size:14px;padding:.6rem .7rem 1.5rem}
 .facts{grid-template-columns:1fr;gap:0}
 .facts dd{margin-bottom:.45rem}
 .stat{display:none}
 td.how{min-width:0}
 td.verdict{white-space:normal}
 th,td{padding:.3rem .35rem}
}
@media print{details.healthy>summary{display:none}section.feature{break-inside:avoid}}
""" + _severity_rules()
