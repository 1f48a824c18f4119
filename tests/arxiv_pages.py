# ruff: noqa: E501  (the markup keeps the long lines arxiv.org serves)
"""An arXiv abstract page in the markup arxiv.org serves (arXiv/arxiv-browse's abs.html):
Highwire citation_* meta tags, the title and authors with their descriptors, the abstract
blockquote, the metadata table with the subjects, the submission history, and the page's
chrome (header, search box, access links, references and citations, footer), which a note
must not take for the paper.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from .paper_pdfs import ABSTRACT, AUTHORS, TITLE

PAPER_ID = "2501.12345"


@dataclass(frozen=True)
class AbsPageSpec:
    paper_id: str = PAPER_ID
    title: str = TITLE
    authors: tuple[str, ...] = AUTHORS
    abstract: str = ABSTRACT
    subjects: tuple[tuple[str, str], ...] = (("Computation and Language", "cs.CL"),
                                             ("Artificial Intelligence", "cs.AI"),
                                             ("Machine Learning", "cs.LG"))
    versions: tuple[tuple[str, str], ...] = (("Tue, 21 Jan 2025 18:02:11 UTC", "1,021"),
                                             ("Mon, 3 Feb 2025 09:15:40 UTC", "1,187"))


def abs_page(spec: AbsPageSpec | None = None) -> str:
    spec = spec or AbsPageSpec()
    pid, latest = spec.paper_id, len(spec.versions)
    esc = html.escape
    meta_authors = "\n".join(
        f'<meta name="citation_author" content="{esc(_last_first(name))}" />'
        for name in spec.authors)
    author_links = ", ".join(
        f'<a href="https://arxiv.org/search/cs?searchtype=author&amp;query='
        f'{esc(name.split()[-1])},+{esc(name.split()[0][0])}">{esc(name)}</a>'
        for name in spec.authors)
    primary, *others = spec.subjects
    subjects = f'<span class="primary-subject">{primary[0]} ({primary[1]})</span>' + "".join(
        f"; {name} ({code})" for name, code in others)
    history = "".join(
        (f"<strong>[v{n}]</strong>" if n == latest else
         f'<strong><a href="/abs/{pid}v{n}" rel="nofollow">[v{n}]</a></strong>')
        + f"\n{when} ({size} KB)<br/>\n"
        for n, (when, size) in enumerate(spec.versions, start=1))
    first_day = " ".join(spec.versions[0][0].split()[1:4])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>  <title>[{pid}] {esc(spec.title)}</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" type="text/css" media="screen" href="/static/browse/0.3.4/css/arXiv.css?v=20241206" />
  <script src="/static/browse/0.3.4/js/mathjaxToggle.min.js" type="text/javascript"></script>
  <meta name="citation_title" content="{esc(spec.title)}" />
{meta_authors}
  <meta name="citation_date" content="2025/01/21" />
  <meta name="citation_online_date" content="2025/02/03" />
  <meta name="citation_pdf_url" content="http://arxiv.org/pdf/{pid}" />
  <meta name="citation_arxiv_id" content="{pid}" />
  <meta name="citation_abstract" content="{esc(spec.abstract)}" />
  <meta name="twitter:site" content="@arxiv"/>
  <meta property="og:site_name" content="arXiv.org"/>
  <meta property="og:title" content="{esc(spec.title)}"/>
  <meta property="og:url" content="https://arxiv.org/abs/{pid}v{latest}"/>
  <meta property="og:description" content="{esc(spec.abstract)}"/>
</head>
<body class="with-cu-identity">
  <div class="flex-wrap-footer">
    <header>
      <a href="#content" class="is-sr-only">Skip to main content</a>
      <div id="cu-identity"><div id="cu-logo"><a href="https://www.cornell.edu/">Cornell University</a></div>
        <div id="support-ack"><a href="https://info.arxiv.org/about/ourmembers.html">We gratefully acknowledge support from the Simons Foundation, member institutions, and all contributors.</a>
          <a href="https://info.arxiv.org/about/donate.html" class="btn-header-donate">Donate</a></div></div>
      <div id="header" class="is-hidden-mobile">
        <a aria-hidden="true" tabindex="-1" href="/abs/{pid}"></a>
        <div class="header-breadcrumbs is-hidden-mobile"><a href="/">arxiv</a> &gt; <a href="/list/cs/recent">cs</a> &gt; arXiv:{pid}</div>
        <div class="search-block level-right">
          <form class="level-item mini-search" method="GET" action="https://arxiv.org/search">
            <input class="input is-small" type="text" name="query" placeholder="Search..." aria-label="Search term or terms" />
            <button class="button is-small is-cul-darker">Search</button>
          </form>
        </div>
      </div>
    </header>
    <main>
<div id="abs-outer">
  <div class="leftcolumn">
    <div class="subheader">
      <h1>Computer Science &gt; {primary[0]}</h1>
    </div>
    <div class="header-breadcrumbs-mobile">
      <strong>arXiv:{pid}</strong> (cs)
    </div>
<div id="content-inner">
  <div id="abs">
    <div class="dateline">
  [Submitted on {first_day} (<a href="/abs/{pid}v1">v1</a>), last revised 3 Feb 2025 (this version, v{latest})]</div>
    <h1 class="title mathjax"><span class="descriptor">Title:</span>{esc(spec.title)}</h1>
    <div class="authors"><span class="descriptor">Authors:</span>{author_links}</div>
    <div id="download-button-info" hidden>View a PDF of the paper titled {esc(spec.title)}, by {esc(spec.authors[0])} and {len(spec.authors) - 1} other authors</div>
    <a class="mobile-submission-download" href="/pdf/{pid}">View PDF</a>
    <a class="mobile-submission-download" href="https://arxiv.org/html/{pid}v{latest}">HTML (experimental)</a>
    <blockquote class="abstract mathjax">
            <span class="descriptor">Abstract:</span>{esc(spec.abstract)}
    </blockquote>
    <!--CONTEXT-->
    <div class="metatable">
      <table summary="Additional metadata">
        <tr>
          <td class="tablecell label">Comments:</td>
          <td class="tablecell comments mathjax">14 pages, 4 figures</td>
        </tr>
        <tr>
          <td class="tablecell label">Subjects:</td>
          <td class="tablecell subjects">{subjects}</td>
        </tr>
        <tr>
          <td class="tablecell label">Cite as:</td>
          <td class="tablecell arxivid"><span class="arxivid"><a href="https://arxiv.org/abs/{pid}">arXiv:{pid}</a> [cs.CL]</span></td>
        </tr>
        <tr>
          <td class="tablecell label">&nbsp;</td>
          <td class="tablecell arxividv">(or <span class="arxivid"><a href="https://arxiv.org/abs/{pid}v{latest}">arXiv:{pid}v{latest}</a> [cs.CL]</span> for this version)</td>
        </tr>
        <tr>
          <td class="tablecell label">&nbsp;</td>
          <td class="tablecell arxivdoi"><a href="https://doi.org/10.48550/arXiv.{pid}" id="arxiv-doi-link">https://doi.org/10.48550/arXiv.{pid}</a></td>
        </tr>
      </table>
    </div>
  </div>
</div>
    <div class="submission-history">
      <h2>Submission history</h2> From: {esc(spec.authors[0])} [<a href="/show-email/4f1c2a7e/{pid}">view email</a>]
      <br/>{history}
    </div>
  </div>
  <!--end leftcolumn-->
<div class="extra-services">
    <div class="full-text">
      <a name="other"></a>
      <span class="descriptor">Full-text links:</span>
      <h2>Access Paper:</h2>
      <ul>
  <div id="download-button-info" hidden>View a PDF of the paper titled {esc(spec.title)}</div><li><a href="/pdf/{pid}" aria-describedby="download-button-info" accesskey="f" class="abs-button download-pdf">View PDF</a></li><li><a href="https://arxiv.org/html/{pid}v{latest}" class="abs-button" id="latexml-download-link">HTML (experimental)</a></li><li><a href="/src/{pid}" class="abs-button download-eprint">TeX Source</a></li><li><a href="/format/{pid}" class="abs-button download-format">Other Formats</a></li></ul>
      <div class="abs-license"><a href="http://creativecommons.org/licenses/by/4.0/" title="Rights to this article" class="has_license">
          <img alt="license icon" role="presentation" src="https://arxiv.org/icons/licenses/by-4.0.png"/>
          <span>view license</span>
        </a></div>
    </div>
    <!--end full-text-->
    <div class="browse">
    Current browse context: <div class="current">cs.CL</div>
  <div class="prevnext">
<span class="arrow">
      <a class="abs-button prev-url" href="/prevnext?id={pid}&amp;function=prev&amp;context=cs.CL" accesskey="p" title="previous in cs.CL (accesskey p)">&lt;&nbsp;prev</a>
    </span>
    <span class="is-hidden-mobile">&nbsp; | &nbsp;</span>
    <span class="arrow">
      <a class="abs-button next-url" href="/prevnext?id={pid}&amp;function=next&amp;context=cs.CL" accesskey="n" title="next in cs.CL (accesskey n)">next&nbsp;&gt;</a>
    </span><br/>
  </div>
    </div>
    <div class="extra-ref-cite">
      <h3>References &amp; Citations</h3>
      <ul>
        <li><a  class="abs-button abs-button-small cite-ads" href="https://ui.adsabs.harvard.edu/abs/arXiv:{pid}">NASA ADS</a></li><li><a  class="abs-button abs-button-small cite-google-scholar" href="https://scholar.google.com/scholar_lookup?arxiv_id={pid}" target="_blank" rel="noopener">Google Scholar</a></li>
        <li><a  class="abs-button abs-button-small cite-semantic-scholar" href="https://api.semanticscholar.org/arXiv:{pid}" target="_blank" rel="noopener">Semantic Scholar</a></li>
      </ul>
      <div style="clear:both;"></div>
    </div>
</div>
  <div class="endorsers">
    <a href="/auth/show-endorsers/{pid}" class="endorser-who">Which authors of this paper are endorsers?</a> |
    <a id="mathjax_toggle" href="javascript:setMathjaxCookie()">Disable MathJax</a> (<a href="https://info.arxiv.org/help/mathjax.html">What is MathJax?</a>)
  </div>
</div>
    </main>
    <footer style="clear: both;">
      <div class="columns is-desktop" role="navigation" aria-label="Secondary">
        <ul class="nav-spaced">
          <li><a href="https://info.arxiv.org/about">About</a></li>
          <li><a href="https://info.arxiv.org/help">Help</a></li>
          <li><a href="https://info.arxiv.org/help/contact.html">Contact</a></li>
          <li><a href="https://info.arxiv.org/help/subscribe">Subscribe</a></li>
          <li><a href="https://info.arxiv.org/help/license/index.html">Copyright</a></li>
          <li><a href="https://info.arxiv.org/help/policies/privacy_policy.html">Privacy Policy</a></li>
        </ul>
      </div>
    </footer>
  </div>
</body>
</html>
"""


def _last_first(name: str) -> str:
    first, _, last = name.rpartition(" ")
    return f"{last}, {first}"
