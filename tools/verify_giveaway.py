"""Checks a Vitrine giveaway's draw from its public proof alone, with Python's standard library:

    python3 verify_giveaway.py https://vitrine.example/giveaways/giv_…/proof [your_entry_id]
"""
import hashlib
import hmac
import json
import sys
import urllib.request


def check(proof: dict, entry_id: str | None = None) -> list[str]:
    """What does not match in the proof: an empty list when the draw is verified."""
    seed = proof["seed"].encode("ascii")  # the seed's 64 hex characters, as text, are the key
    problems = []
    if hashlib.sha256(seed).hexdigest() != proof["commitment"]:
        problems.append("sha256(seed) is not the commitment published when the giveaway started")
    ranking = sorted(proof["entries"], key=lambda e: (hmac.new(seed, e.encode("ascii"), hashlib.sha256).hexdigest(), e))
    passed = proof.get("passed", [])  # entries whose prize went unclaimed, to the next entry of the ranking
    offered = ranking[:len(proof["winners"]) + len(passed)]
    if [e for e in offered if e not in passed] != proof["winners"] or not set(passed) <= set(offered):
        problems.append(f"the winners are not the entries with the smallest HMAC: {offered}")
    if entry_id and entry_id not in proof["entries"]:
        problems.append(f"the entry {entry_id} is not among the {len(proof['entries'])} entries")
    return problems


if __name__ == "__main__":
    url = sys.argv[1] if "/api/" in sys.argv[1] else sys.argv[1].replace("/giveaways/", "/api/giveaways/", 1)
    with urllib.request.urlopen(url, timeout=30) as answer:
        problems = check(json.load(answer), sys.argv[2] if len(sys.argv) > 2 else None)
    print("\n".join(problems) or "verified: the seed matches its commitment and the winners are the draw's")
    sys.exit(1 if problems else 0)
