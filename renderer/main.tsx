import { createRoot } from 'react-dom/client';
import { App } from './App';
import { chooseBridge } from './bridge';
import { connect } from './store';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(<App />);
  void connect(chooseBridge());
}
