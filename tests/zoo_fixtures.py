"""Helpers of the download, zoo, inference and demo tests (their fixtures
``server``, ``cache`` and ``tiny_model`` are in conftest.py): the HTTP
handler and publishing a checkpoint under a hash-named file."""
import hashlib
import http.server
import os
import os.path as osp

import torch

from .test_tools.helpers import REPO_ROOT

CONFIG = osp.join(REPO_ROOT, 'configs', 'mlic', 'mlic_multidigits.py')


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; ``/cut/<name>`` announces more bytes than it sends."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.hits.append(self.path)
        if self.path.startswith('/cut/'):
            data = open(osp.join(self.directory, self.path[5:]), 'rb').read()
            self.send_response(200)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data[:len(data) // 2])
            return
        super().do_GET()


def publish(root, model, stem='mlic_multidigits_20261128'):
    """Save a checkpoint under an OpenMMLab-style hashed name."""
    tmp = root / 'tmp.pth'
    torch.save(
        dict(
            state_dict=model.state_dict(),
            meta=dict(dataset_meta=dict(classes=[str(d) for d in range(10)]))),
        str(tmp))
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    name = f'{stem}-{digest[:8]}.pth'
    os.replace(tmp, root / name)
    return name, digest
